"""A small GGUF v3 reader and writer (numpy): F32, F16, BF16 and Q8_0 tensors; Q4_0 and Q4_1 read.

Layout as GGML defines it: little-endian header, metadata key/values, tensor infos (dims with the
fastest-varying first), padding to the alignment, then each tensor's data aligned. Q8_0 blocks are
32 weights: an F16 scale d then 32 int8 q, weight = d*q.
"""

import os
import struct
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import numpy as np

MAGIC = b"GGUF"
ALIGNMENT = 32

# Metadata value types.
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
_SCALAR = {UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i",
           FLOAT32: "<f", BOOL: "<?", UINT64: "<Q", INT64: "<q", FLOAT64: "<d"}

# Tensor types: id, block size, bytes per block.
F32, F16, Q4_0, Q4_1, Q8_0, BF16 = 0, 1, 2, 3, 8, 30
TENSOR_TYPES = {F32: (1, 4), F16: (1, 2), Q4_0: (32, 18), Q4_1: (32, 20), Q8_0: (32, 34), BF16: (1, 2)}
TYPE_NAMES = {"F32": F32, "F16": F16, "Q4_0": Q4_0, "Q8_0": Q8_0, "BF16": BF16}


@dataclass
class Typed:
    """A metadata value with an explicit GGUF type (for arrays: the element type)."""
    type: int
    value: Any


def _round_half_away(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_q8_0(values: np.ndarray) -> bytes:
    v = np.asarray(values, dtype=np.float32).reshape(-1, 32)
    amax = np.abs(v).max(axis=1)
    d = (amax / 127.0).astype(np.float32)
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0).astype(np.float32)
    q = _round_half_away(v * inv[:, None]).astype(np.int8)
    blocks = np.zeros(v.shape[0], dtype=[("d", "<f2"), ("q", "i1", 32)])
    blocks["d"] = d.astype(np.float16)
    blocks["q"] = q
    return blocks.tobytes()


def dequantize_q8_0(data: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(data, dtype=[("d", "<f2"), ("q", "i1", 32)], count=count // 32)
    return (blocks["d"].astype(np.float32)[:, None] * blocks["q"].astype(np.float32)).reshape(-1)


def dequantize_q4_0(data: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(data, dtype=[("d", "<f2"), ("q", "u1", 16)], count=count // 32)
    low = (blocks["q"] & 0x0F).astype(np.float32) - 8
    high = (blocks["q"] >> 4).astype(np.float32) - 8
    return (blocks["d"].astype(np.float32)[:, None] * np.concatenate([low, high], axis=1)).reshape(-1)


def dequantize_q4_1(data: bytes, count: int) -> np.ndarray:
    """Q4_1: F16 scale d and minimum m, then 32 4-bit q (low nibbles first); weight = d*q + m."""
    blocks = np.frombuffer(data, dtype=[("d", "<f2"), ("m", "<f2"), ("q", "u1", 16)], count=count // 32)
    q = np.concatenate([blocks["q"] & 0x0F, blocks["q"] >> 4], axis=1).astype(np.float32)
    return (blocks["d"].astype(np.float32)[:, None] * q + blocks["m"].astype(np.float32)[:, None]).reshape(-1)


def encode_tensor(values: np.ndarray, tensor_type: int) -> bytes:
    values = np.ascontiguousarray(values, dtype=np.float32)
    if tensor_type == F32:
        return values.astype("<f4").tobytes()
    if tensor_type == F16:
        return values.astype("<f2").tobytes()
    if tensor_type == BF16:
        bits = values.view(np.uint32).astype(np.uint64)
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
        return rounded.tobytes()
    if tensor_type == Q8_0:
        return quantize_q8_0(values)
    raise ValueError(f"cannot write tensor type {tensor_type}")


def decode_tensor(data: bytes, tensor_type: int, count: int) -> np.ndarray:
    if tensor_type == F32:
        return np.frombuffer(data, dtype="<f4", count=count).astype(np.float32)
    if tensor_type == F16:
        return np.frombuffer(data, dtype="<f2", count=count).astype(np.float32)
    if tensor_type == BF16:
        return (np.frombuffer(data, dtype="<u2", count=count).astype(np.uint32) << 16).view(np.float32)
    if tensor_type == Q8_0:
        return dequantize_q8_0(data, count)
    if tensor_type == Q4_0:
        return dequantize_q4_0(data, count)
    if tensor_type == Q4_1:
        return dequantize_q4_1(data, count)
    raise ValueError(f"tensor type {tensor_type} is not supported by this reader")


def _pack_string(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _infer(value: Any) -> Typed:
    if isinstance(value, Typed):
        return value
    if isinstance(value, bool):
        return Typed(BOOL, value)
    if isinstance(value, int):
        return Typed(INT32 if value < 0 else UINT32, value)
    if isinstance(value, float):
        return Typed(FLOAT32, value)
    if isinstance(value, str):
        return Typed(STRING, value)
    if isinstance(value, (list, tuple)):
        if not value or isinstance(value[0], str):
            return Typed(ARRAY, Typed(STRING, list(value)))
        if isinstance(value[0], float):
            return Typed(ARRAY, Typed(FLOAT32, list(value)))
        return Typed(ARRAY, Typed(INT32, list(value)))
    raise TypeError(f"cannot store {type(value).__name__} in GGUF metadata")


def _pack_value(t: int, value: Any) -> bytes:
    if t == STRING:
        return _pack_string(value)
    if t == ARRAY:
        element: Typed = value
        out = [struct.pack("<IQ", element.type, len(element.value))]
        if element.type in _SCALAR:
            out.append(np.asarray(element.value, dtype=np.dtype(_SCALAR[element.type])).tobytes())
        else:
            out.extend(_pack_value(element.type, v) for v in element.value)
        return b"".join(out)
    return struct.pack(_SCALAR[t], value)


class GGUFWriter:
    def __init__(self):
        self.metadata: Dict[str, Typed] = {}
        self.tensors: List[Tuple[str, int, Tuple[int, ...], bytes]] = []

    def add(self, key: str, value: Any) -> None:
        self.metadata[key] = _infer(value)

    def add_tensor(self, name: str, values: np.ndarray, tensor_type: int) -> None:
        """values has PyTorch shape (rows first); GGUF stores dims fastest-varying first."""
        shape = tuple(values.shape)
        block, _ = TENSOR_TYPES[tensor_type]
        if shape[-1] % block:
            raise ValueError(f"{name}: row length {shape[-1]} is not a multiple of the block size {block}")
        self.tensors.append((name, tensor_type, tuple(reversed(shape)), encode_tensor(values, tensor_type)))

    def write(self, path: str) -> None:
        """Writes atomically: a temporary file in the same folder, then a rename."""
        header = [MAGIC, struct.pack("<IQQ", 3, len(self.tensors), len(self.metadata))]
        for key, typed in self.metadata.items():
            header.append(_pack_string(key) + struct.pack("<I", typed.type) + _pack_value(typed.type, typed.value))
        offset = 0
        for name, tensor_type, dims, data in self.tensors:
            header.append(_pack_string(name) + struct.pack("<I", len(dims)))
            header.append(struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", tensor_type, offset))
            offset += len(data) + (-len(data)) % ALIGNMENT
        blob = b"".join(header)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob + b"\0" * ((-len(blob)) % ALIGNMENT))
                for _, _, _, data in self.tensors:
                    f.write(data + b"\0" * ((-len(data)) % ALIGNMENT))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


@dataclass
class TensorInfo:
    name: str
    type: int
    dims: Tuple[int, ...]  # GGUF order: fastest-varying first
    offset: int

    @property
    def count(self) -> int:
        return int(np.prod(self.dims))

    @property
    def nbytes(self) -> int:
        block, size = TENSOR_TYPES[self.type]
        return self.count // block * size


class GGUFReader:
    def __init__(self, path: str):
        with open(path, "rb") as f:
            self.data = f.read()
        self.pos = 0
        if self._read(4) != MAGIC:
            raise ValueError(f"{path}: not a GGUF file")
        version, n_tensors, n_kv = struct.unpack("<IQQ", self._read(20))
        if version not in (2, 3):
            raise ValueError(f"{path}: GGUF version {version} is not supported")
        self.metadata: Dict[str, Any] = {}
        for _ in range(n_kv):
            key = self._string()
            (t,) = struct.unpack("<I", self._read(4))
            self.metadata[key] = self._value(t)
        self.tensors: Dict[str, TensorInfo] = {}
        for _ in range(n_tensors):
            name = self._string()
            (n_dims,) = struct.unpack("<I", self._read(4))
            dims = struct.unpack(f"<{n_dims}Q", self._read(8 * n_dims))
            t, offset = struct.unpack("<IQ", self._read(12))
            self.tensors[name] = TensorInfo(name, t, dims, offset)
        alignment = int(self.metadata.get("general.alignment", ALIGNMENT))
        self.data_start = self.pos + (-self.pos) % alignment

    def _read(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated GGUF file")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def _string(self) -> str:
        (n,) = struct.unpack("<Q", self._read(8))
        return self._read(n).decode("utf-8")

    def _value(self, t: int) -> Any:
        if t == STRING:
            return self._string()
        if t == ARRAY:
            et, n = struct.unpack("<IQ", self._read(12))
            if et in _SCALAR:
                dtype = np.dtype(_SCALAR[et])
                return np.frombuffer(self._read(n * dtype.itemsize), dtype=dtype).tolist()
            return [self._value(et) for _ in range(n)]
        fmt = _SCALAR[t]
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    def tensor(self, name: str) -> np.ndarray:
        """The tensor as float32, in PyTorch shape (slowest-varying first)."""
        info = self.tensors[name]
        start = self.data_start + info.offset
        values = decode_tensor(self.data[start:start + info.nbytes], info.type, info.count)
        return values.reshape(tuple(reversed(info.dims)))
