// The extension's launch, settings, status and edit logic against the real Cromwell server and
// the real SmolLM2 model, over stdio as vscode-languageclient speaks to it. Needs the jar
// (bin/build) and the model (cromwell pull smollm2-135m-instruct); fails saying so without them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { editCommand } from '../src/edit';
import { aotCacheForJdk, commandLine, findJava, planLaunch } from '../src/launch';
import { parseModel } from '../src/model';
import { serverSettings } from '../src/settings';
import { modelState, ServerStatus, statusBar } from '../src/status';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const MODEL = 'smollm2-135m-instruct';

test('the real server, started as the extension starts it, suggests, reports status and edits', { timeout: 240_000 }, async () => {
  const plan = planLaunch({
    command: '',
    java: '',
    jar: '',
    jvmOptions: ['-Xmx1g'],
    bundledJar: '/nonexistent/cromwell.jar',
    workspaceFolders: [repo],
    exists: (p) => fs.existsSync(p),
    modifiedMs: (p) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? null,
  });
  assert.equal(plan.kind, 'jar', `no cromwell.jar in ${repo}/lsp-server/target: build it first with bin/build`);
  if (plan.kind !== 'jar') return;
  const java = await findJava(null, process.env);
  assert.ok('java' in java, 'message' in java ? java.message : '');
  const model = parseModel(MODEL, process.env, os.homedir(), repo);
  assert.ok(model.kind === 'name' && fs.existsSync(model.path), `${MODEL} is not installed in the model store: cromwell pull ${MODEL}`);

  // bin/build's cache, made by this JDK, is passed as the extension passes it.
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);
  assert.equal(aotCacheForJdk(plan.aotCache, java.home, read), plan.aotCache, `${plan.aotCache}.jdk does not name ${java.home}: rebuild with bin/build`);
  const run = commandLine(plan, java.java, ['lsp']);
  // A plain java -jar lsp starts the shared warm daemon, which would outlive this test: the session
  // is served in-process here, unless the caller asks for the daemon.
  const env = { ...process.env, CROMWELL_DAEMON: process.env.CROMWELL_DAEMON || 'off' };
  const child = spawn(run.command, run.args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const messages: string[] = [];
  const applied: { edit: { changes?: Record<string, { newText: string }[]>; documentChanges?: unknown[] } }[] = [];
  connection.onNotification('window/showMessage', (p: { message: string }) => {
    messages.push(p.message);
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/applyEdit', (p: (typeof applied)[number]) => {
    applied.push(p);
    return { applied: true };
  });
  connection.listen();
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cromwell-vscode-'));
    // No wall-time cap worth the name: this checks what the client sends and reads, not latency, and
    // a loaded machine must not cut the suggestion short.
    const settings = serverSettings((k) => ({ timeLimitMs: 60000, maxTokens: 16, threads: 0 })[k], model.path);
    const init = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: null,
      capabilities: { workspace: { applyEdit: true }, window: { workDoneProgress: true } },
      initializationOptions: settings,
    });
    assert.ok((init as { capabilities: { inlineCompletionProvider?: unknown } }).capabilities.inlineCompletionProvider);
    await connection.sendNotification('initialized', {});

    let status: ServerStatus;
    const deadline = Date.now() + 120_000;
    for (;;) {
      status = await connection.sendRequest('cromwell/status');
      if (modelState(status).state !== 'loading' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(modelState(status).state, 'ready', `model state ${status.modelState}; messages ${messages}; ${stderr}`);
    assert.equal(statusBar(status).text, `$(sparkle) ${MODEL}`);

    const file = path.join(dir, 'add.py');
    const text = 'def add(a, b):\n    return ';
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const list = (await connection.sendRequest('textDocument/inlineCompletion', {
      textDocument: { uri },
      position: { line: 1, character: 11 },
      context: { triggerKind: 2 },
    })) as { items: { insertText: string }[] };
    assert.equal(list.items.length, 1, 'one suggestion');
    assert.match(list.items[0].insertText, /a \+ b/);

    status = await connection.sendRequest('cromwell/status');
    assert.match(statusBar(status).text, new RegExp(`^\\$\\(sparkle\\) ${MODEL} · \\d+ ms · \\d+/\\d+ reused$`));

    // An instruction on the ordinary edit path ("add a docstring" takes only a docstring, which
    // SmolLM2 rarely writes, so the server refuses it: DocOnlyEdit).
    const edit = editCommand(uri, { start: { line: 0, character: 0 }, end: { line: 1, character: 11 } }, 'return the product of a and b');
    await connection.sendRequest('workspace/executeCommand', edit);
    // Two outcomes are right: one workspace/applyEdit that changes the file, or (SmolLM2 often
    // answers with the region unchanged) no applyEdit and the server saying so; never an empty one.
    const noChange = messages.some((m) => /proposed no change/.test(m));
    assert.equal(applied.length, noChange ? 0 : 1, `one workspace/applyEdit or "no change"; messages: ${messages}`);
    if (!noChange) {
      const changes = applied[0].edit.changes?.[uri] ?? [];
      assert.ok(changes.length > 0 || (applied[0].edit.documentChanges ?? []).length > 0, 'the edit changes the file');
    }
    assert.deepEqual(messages.filter((m) => /unknown|invalid/i.test(m)), [], 'the settings were all accepted');
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
  } finally {
    connection.dispose();
    child.kill();
  }
});
