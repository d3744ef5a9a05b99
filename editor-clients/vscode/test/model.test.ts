import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isCatalogueName, modelStore, parseModel } from '../src/model';

test('the model store follows CROMWELL_HOME, then XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(modelStore({ CROMWELL_HOME: '/data/cw' }, '/home/u'), '/data/cw/models');
  assert.equal(modelStore({ CROMWELL_HOME: '~/cw' }, '/home/u'), '/home/u/cw/models');
  assert.equal(modelStore({ XDG_CACHE_HOME: '/xdg' }, '/home/u'), '/xdg/cromwell/models');
  assert.equal(modelStore({ CROMWELL_HOME: ' ', XDG_CACHE_HOME: '' }, '/home/u'), '/home/u/.cache/cromwell/models');
});

test('a catalogue name has no separator and no .gguf suffix', () => {
  assert.ok(isCatalogueName('qwen2.5-coder-0.5b-instruct'));
  assert.ok(!isCatalogueName('models/x.gguf'));
  assert.ok(!isCatalogueName('x.GGUF'));
  assert.ok(!isCatalogueName('~/m'));
  assert.ok(!isCatalogueName('./m'));
});

test('the model setting becomes a name in the store, a path, or none', () => {
  const env = { CROMWELL_HOME: '/cw' };
  assert.deepEqual(parseModel('smollm2-135m-instruct', env, '/home/u', '/ws'), {
    kind: 'name',
    name: 'smollm2-135m-instruct',
    path: '/cw/models/smollm2-135m-instruct.gguf',
  });
  assert.deepEqual(parseModel('~/m/a.gguf', env, '/home/u', '/ws'), { kind: 'path', path: '/home/u/m/a.gguf' });
  assert.deepEqual(parseModel('m/a.gguf', env, '/home/u', '/ws'), { kind: 'path', path: '/ws/m/a.gguf' });
  assert.deepEqual(parseModel('/abs/a.gguf', env, '/home/u', '/ws'), { kind: 'path', path: '/abs/a.gguf' });
  assert.deepEqual(parseModel('  ', env, '/home/u', '/ws'), { kind: 'none' });
  assert.deepEqual(parseModel(undefined, env, '/home/u', '/ws'), { kind: 'none' });
});
