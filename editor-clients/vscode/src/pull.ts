// "Cromwell: Download Model" runs `cromwell pull NAME` and turns its output lines into progress.
import { spawn } from 'node:child_process';

export interface PullProgress {
  percent: number | null;
  message: string;
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Reads a percentage ("42%", "42.5 %") or a done/total pair ("120 MB / 491 MB") from a line. */
export function parseProgress(line: string): PullProgress {
  const message = line.trim();
  const pct = /(\d+(?:\.\d+)?)\s*%/.exec(message);
  if (pct !== null) {
    return { percent: clamp(Number(pct[1])), message };
  }
  const pair = /(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*(?:\/|of)\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)\b/i.exec(message);
  if (pair !== null) {
    const total = Number(pair[3]) * UNITS[pair[4].toLowerCase()];
    const done = Number(pair[1]) * UNITS[(pair[2] ?? pair[4]).toLowerCase()];
    if (total > 0) {
      return { percent: clamp((100 * done) / total), message };
    }
  }
  return { percent: null, message };
}

function clamp(p: number): number {
  return Math.max(0, Math.min(100, p));
}

/** Splits a stream of output into lines; a carriage return (a terminal progress bar) ends a line too. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const parts = (this.rest + chunk).split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    parts.filter((p) => p.trim() !== '').forEach(this.onLine);
  }
  end(): void {
    if (this.rest.trim() !== '') {
      this.onLine(this.rest);
    }
    this.rest = '';
  }
}

export interface PullResult {
  ok: boolean;
  /** On success the command's last line; on failure its one-line reason (see failureLine). */
  lastLine: string;
}

/**
 * The reason of a failed run: Cromwell's own error line ("cromwell pull: …", the last one), else
 * the first line that is not progress (picocli prints its complaint before the usage text).
 */
export function failureLine(lines: readonly string[]): string | undefined {
  const own = [...lines].reverse().find((l) => /^cromwell( \w+)?: /.test(l));
  return own ?? lines.find((l) => parseProgress(l).percent === null);
}

/** Runs the pull command, reporting each output line; resolves when it exits. */
export function runPull(
  command: string,
  args: string[],
  onProgress: (p: PullProgress) => void,
  signal?: AbortSignal,
): Promise<PullResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => {
      if (line.startsWith('WARNING: Using incubator modules')) {
        return; // the JVM's notice on every start, not the command's
      }
      lines.push(line.trim());
      if (lines.length > 500) {
        lines.shift();
      }
      onProgress(parseProgress(line));
    });
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    child.stdout.setEncoding('utf8').on('data', (d: string) => splitter.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => splitter.push(d));
    child.on('error', (e) => {
      splitter.end();
      resolve({ ok: false, lastLine: e.name === 'AbortError' ? 'cancelled' : `${command}: ${e.message}` });
    });
    child.on('close', (code) => {
      splitter.end();
      const line = code === 0 ? lines.at(-1) : failureLine(lines);
      resolve({ ok: code === 0, lastLine: line ?? `exit code ${code}` });
    });
  });
}
