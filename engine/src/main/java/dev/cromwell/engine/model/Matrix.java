package dev.cromwell.engine.model;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.ops.MatMul;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.MemorySegment;

/** A weight matrix of {@code rows × cols} viewed in place inside the model file. */
public record Matrix(String name, WeightFormat format, MemorySegment data, int rows, int cols) {
  /** {@code out = W · x}. */
  public void multiply(float[] x, float[] out, WorkerPool pool) {
    MatVec.matvec(format, data, 0, x, out, rows, cols, pool);
  }

  /**
   * {@code outs[t] = W · xs[t]} for {@code t < count}: the batched product of prompt processing.
   */
  public void multiply(float[][] xs, float[][] outs, int count, WorkerPool pool) {
    MatMul.matmul(format, data, 0, xs, outs, count, rows, cols, pool);
  }

  /** Decodes row {@code row} into {@code out} (an embedding lookup). */
  public void row(int row, float[] out) {
    format.dequantize(data, row * format.rowBytes(cols), out, 0, cols);
  }

  /** Rows {@code from..from+count)} as a matrix of their own: a view, nothing is copied. */
  public Matrix rows(int from, int count) {
    long rowBytes = format.rowBytes(cols);
    return new Matrix(
        name + "[" + from + "+" + count + "]",
        format,
        data.asSlice(from * rowBytes, count * rowBytes),
        count,
        cols);
  }

  public long bytes() {
    return data.byteSize();
  }
}
