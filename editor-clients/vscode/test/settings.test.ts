import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_KEYS, LAUNCH_KEYS, SERVER_KEYS, serverSettings } from '../src/settings';

const root = path.resolve(__dirname, '..', '..');
const repo = path.resolve(root, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

/** The keys the server's ServerConfig.apply switch accepts, read from its source. */
function serverConfigKeys(): Set<string> {
  const source = fs.readFileSync(path.join(repo, 'lsp-server/src/main/java/dev/cromwell/lsp/ServerConfig.java'), 'utf8');
  return new Set([...source.matchAll(/case "(\w+)" ->/g)].map((m) => m[1]));
}

test('every setting sent to the server is one ServerConfig reads', () => {
  const known = serverConfigKeys();
  assert.ok(known.has('model'), 'ServerConfig.java was read');
  for (const key of ['model', 'offerDownloads', ...SERVER_KEYS]) {
    assert.ok(known.has(key), `ServerConfig has no "${key}"`);
  }
});

test('every contributed setting is either sent to the server or chooses the program', () => {
  const ours = new Set<string>(['model', ...SERVER_KEYS, ...LAUNCH_KEYS, ...CLIENT_KEYS]);
  for (const key of Object.keys(properties)) {
    assert.ok(ours.has(key.replace(/^cromwell\./, '')), `${key} is contributed but never used`);
  }
  for (const key of [...SERVER_KEYS, ...LAUNCH_KEYS, 'model']) {
    assert.ok(properties['cromwell.' + key], `cromwell.${key} has no schema in package.json`);
  }
});

test('the settings object carries the resolved model and only server keys', () => {
  const values: Record<string, unknown> = {
    threads: 0,
    maxTokens: 32,
    debounceMs: 80,
    disabledLanguages: ['markdown'],
    'server.jar': '/x.jar',
    loadMode: undefined,
  };
  const s = serverSettings((k) => values[k], '/m/a.gguf');
  assert.deepEqual(s, { model: '/m/a.gguf', offerDownloads: false, maxTokens: 32, debounceMs: 80, disabledLanguages: ['markdown'] });
  assert.equal(serverSettings(() => undefined, null).model, '', 'no model clears it on the server');
  assert.equal(serverSettings((k) => (k === 'threads' ? 3 : undefined), null).threads, 3);
});

test('the extension defaults are the server defaults', () => {
  const source = fs.readFileSync(path.join(repo, 'lsp-server/src/main/java/dev/cromwell/lsp/ServerConfig.java'), 'utf8');
  const body = /defaults\(\) \{\s*return new ServerConfig\(([^;]*)\);/.exec(source);
  assert.ok(body, 'ServerConfig.defaults() was found');
  // Order of the record: model, threads, maxTokens, debounceMillis, contextBudget, timeLimitMillis.
  const args = body[1].split(',').map((a) => a.trim());
  assert.equal(properties['cromwell.maxTokens'].default, Number(args[2]));
  assert.equal(properties['cromwell.debounceMs'].default, Number(args[3]));
  assert.equal(properties['cromwell.contextBudget'].default, Number(args[4]));
  assert.equal(properties['cromwell.timeLimitMs'].default, Number(args[5]));
});
