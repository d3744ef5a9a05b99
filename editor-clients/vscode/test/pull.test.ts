import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { failureLine, LineSplitter, parseProgress, runPull } from '../src/pull';

test('progress is read from a percentage or from done/total', () => {
  assert.equal(parseProgress('smollm2: 42.5% 41 MB/s').percent, 42.5);
  assert.equal(parseProgress('120 MB / 480 MB').percent, 25);
  assert.equal(parseProgress('1 GiB of 4 GiB, 12 s left').percent, 25);
  assert.equal(parseProgress('512 / 1024 MiB').percent, 50);
  assert.equal(parseProgress('checking sha256').percent, null);
  assert.equal(parseProgress('  checking sha256 ').message, 'checking sha256');
});

test('carriage returns of a terminal bar end lines', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  s.push('10%\r20');
  s.push('%\r\n\nok\npartial');
  s.end();
  assert.deepEqual(lines, ['10%', '20%', 'ok', 'partial']);
});

// A child process that behaves like `cromwell pull`: progress lines, then its exit status.
const script = (code: number) =>
  `process.stdout.write('0%\\r50%\\r100%\\n'); console.error('WARNING: Using incubator modules: jdk.incubator.vector'); console.error('${code === 0 ? 'installed x' : 'cromwell: no package llm-x 0.1 on the index'}'); process.exit(${code})`;

test('runPull reports each line and the outcome', async () => {
  const seen: (number | null)[] = [];
  const ok = await runPull(process.execPath, ['-e', script(0)], (p) => seen.push(p.percent));
  assert.deepEqual(ok, { ok: true, lastLine: 'installed x' });
  assert.deepEqual(seen.slice(0, 3), [0, 50, 100]);
  const bad = await runPull(process.execPath, ['-e', script(3)], () => undefined);
  assert.deepEqual(bad, { ok: false, lastLine: 'cromwell: no package llm-x 0.1 on the index' });
});

test('a missing program and a cancel are one-line failures', async () => {
  const missing = await runPull('/nonexistent/cromwell', ['pull', 'x'], () => undefined);
  assert.equal(missing.ok, false);
  assert.match(missing.lastLine, /\/nonexistent\/cromwell: spawn .*ENOENT/);
  const abort = new AbortController();
  const running = runPull(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], () => undefined, abort.signal);
  abort.abort();
  assert.deepEqual(await running, { ok: false, lastLine: 'cancelled' });
});

test("a failure is told by Cromwell's own error line, else by the first line that is not progress", () => {
  assert.equal(failureLine(['downloading x', ' 10%  9.8 MiB / 93.8 MiB', 'cromwell pull: sha256 of part 1 differs']), 'cromwell pull: sha256 of part 1 differs');
  assert.equal(failureLine(["Unmatched argument at index 0: 'pull'", 'Usage: cromwell [-hV] [COMMAND]', '  --ids']), "Unmatched argument at index 0: 'pull'");
  assert.equal(failureLine([]), undefined);
});
