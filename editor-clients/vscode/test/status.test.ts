import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { modelState, ServerStatus, statusBar, statusReport } from '../src/status';

function status(over: Partial<ServerStatus>): ServerStatus {
  return {
    model: '/m/smollm2-135m-instruct.gguf',
    modelState: 'ready',
    threads: 2,
    fimFormat: 'STARCODER',
    sessions: 1,
    openDocuments: 1,
    positionEncoding: 'utf-16',
    indexedFiles: 3,
    stats: {
      requests: 5,
      completed: 4,
      superseded: 1,
      cancelled: 0,
      reusedTokens: 900,
      computedTokens: 100,
      accepted: 2,
      lastLatenciesMillis: [400, 212],
      lastReused: 240,
      lastComputed: 16,
    },
    ...over,
  };
}

test('the server model state is read with its detail', () => {
  assert.deepEqual(modelState({ modelState: 'failed: bad magic' }), { state: 'failed', detail: 'bad magic' });
  assert.deepEqual(modelState({ modelState: 'none: set "model"' }), { state: 'none', detail: 'set "model"' });
  assert.equal(modelState({ modelState: 'loading' }).state, 'loading');
});

test('the status bar shows the model, the last latency and the tokens reused', () => {
  const v = statusBar(status({}));
  assert.equal(v.text, '$(sparkle) smollm2-135m-instruct · 212 ms · 240/256 reused');
  assert.equal(v.warning, false);
  assert.match(v.tooltip, /Latency: last 212 ms/);
});

test('the status bar before any suggestion shows just the model', () => {
  const v = statusBar(status({ stats: { ...status({}).stats, lastLatenciesMillis: [] } }));
  assert.equal(v.text, '$(sparkle) smollm2-135m-instruct');
});

test('the status bar says when nothing can suggest', () => {
  assert.match(statusBar(status({ modelState: 'loading' })).text, /loading smollm2-135m-instruct/);
  const none = statusBar(status({ model: null, modelState: 'none: set "model"' }));
  assert.equal(none.text, '$(circle-slash) Cromwell: no model');
  assert.equal(none.warning, true);
  assert.equal(statusBar(status({ modelState: 'failed: x' })).tooltip, 'x');
  assert.equal(statusBar(null, { phase: 'stopped', reason: 'no java' }).tooltip, 'no java');
  assert.equal(statusBar(null, { phase: 'stopped', reason: 'no java' }).text, '$(circle-slash) Cromwell: stopped');
  assert.equal(statusBar(null, { phase: 'starting' }).text, '$(sync~spin) Cromwell: starting');
});

test('the report has one fact a line', () => {
  const lines = statusReport(status({})).split('\n');
  assert.equal(lines[0], 'Model: /m/smollm2-135m-instruct.gguf');
  assert.equal(lines[1], 'State: ready');
  assert.ok(lines.includes('Prompt tokens: 900 reused, 100 computed (last: 240 reused, 16 computed)'));
});

test('a status without a model, as the server sends it (Gson leaves out null fields), is shown', () => {
  const json = JSON.parse(
    '{"modelState":"none: set \\"model\\" in the Cromwell settings to a GGUF file","threads":2,"sessions":0,"openDocuments":0,"positionEncoding":"utf-16","indexedFiles":0,"stats":{"requests":0,"completed":0,"superseded":0,"cancelled":0,"reusedTokens":0,"computedTokens":0,"accepted":0,"lastLatenciesMillis":[],"lastReused":0,"lastComputed":0}}',
  ) as ServerStatus;
  assert.equal(statusBar(json).text, '$(circle-slash) Cromwell: no model');
  assert.equal(statusBar({ ...json, modelState: 'loading' }).text, '$(sync~spin) Cromwell: loading no model');
  assert.match(statusReport(json), /^Model: \(none\)\nState: none \(set "model" in the Cromwell settings to a GGUF file\)/);
});
