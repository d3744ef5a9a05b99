// The extension's commands: edit the selection, download a model, show the server's status.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, ResponseError, LSPErrorCodes } from 'vscode-languageclient/node';
import { editCommand, editOutcome, editRange } from './edit';
import { askInstruction } from './instruction';
import { SUGGESTED_MODELS } from './model';
import { runPull } from './pull';
import { CromwellServer } from './server';
import { statusReport } from './status';

export async function editSelection(server: CromwellServer, output: vscode.OutputChannel): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Cromwell: open a file and select the lines to edit first.');
    return;
  }
  const client = server.running();
  if (client === null) {
    void vscode.window.showErrorMessage(`${server.stoppedReason}; "Cromwell: Restart Server" starts it again.`);
    return;
  }
  const instruction = await askInstruction();
  if (instruction === undefined) {
    return;
  }
  const doc = editor.document;
  const s = editor.selection;
  const range = editRange(
    { start: { line: s.start.line, character: s.start.character }, end: { line: s.end.line, character: s.end.character } },
    (line) => doc.lineAt(line).text.length,
  );
  const uri = client.code2ProtocolConverter.asUri(doc.uri);
  try {
    // The server answers with workspace/applyEdit, which the client applies to the document.
    const result: unknown = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Cromwell: ${instruction.trim()}…` },
      () => client.sendRequest(ExecuteCommandRequest.type, editCommand(uri, range, instruction)),
    );
    const outcome = editOutcome(result);
    if (outcome !== null) {
      void vscode.window.showWarningMessage(outcome);
    }
  } catch (e) {
    output.appendLine(`cromwell.edit failed: ${(e as Error).message}`);
    // RequestFailed and ContentModified come with the server's own window/showMessage.
    const announced = e instanceof ResponseError && (e.code === LSPErrorCodes.RequestFailed || e.code === LSPErrorCodes.ContentModified);
    if (!announced) {
      void vscode.window.showErrorMessage(`Cromwell: the edit failed: ${(e as Error).message}`);
    }
  }
}

/** Asks for a model name (the configured one first) unless one is given, then downloads it. */
export async function downloadModel(server: CromwellServer, given?: string): Promise<boolean> {
  const spec = server.modelSpec();
  let name = given;
  if (name === undefined) {
    const configured = spec.kind === 'name' ? spec.name : undefined;
    const items = SUGGESTED_MODELS.map((m) => ({ label: m.name, description: m.name === configured ? '(cromwell.model)' : undefined, detail: m.detail }));
    items.sort((a, b) => Number(b.label === configured) - Number(a.label === configured));
    const pick = await vscode.window.showQuickPick(items, { title: 'Cromwell: Download Model', placeHolder: 'Model to download into the model store' });
    name = pick?.label;
  }
  if (name === undefined) {
    return false;
  }
  const run = await server.cromwellCommand(['pull', name]);
  if ('message' in run) {
    void vscode.window.showErrorMessage(run.message);
    return false;
  }
  const model = name;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Cromwell: downloading ${model}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let shown = 0;
      return runPull(
        run.command,
        run.args,
        (p) => {
          const increment = p.percent === null ? undefined : Math.max(0, p.percent - shown);
          shown = p.percent ?? shown;
          progress.report({ message: p.message, increment });
        },
        abort.signal,
      );
    },
  );
  if (!result.ok) {
    void vscode.window.showErrorMessage(`Cromwell: downloading ${model} failed: ${result.lastLine}`);
    return false;
  }
  if (spec.kind === 'name' && spec.name === model) {
    await server.pushSettings(); // the configured model now exists: the server loads it
    void vscode.window.showInformationMessage(`Cromwell: ${model} is installed and loading.`);
  } else {
    const use = await vscode.window.showInformationMessage(`Cromwell: ${model} is installed.`, 'Use It');
    if (use !== undefined) {
      await vscode.workspace.getConfiguration('cromwell').update('model', model, vscode.ConfigurationTarget.Global);
    }
  }
  return true;
}

export async function showStatus(server: CromwellServer, output: vscode.OutputChannel): Promise<void> {
  const status = await server.status().catch((e: Error) => {
    output.appendLine(`cromwell/status failed: ${e.message}`);
    return null;
  });
  if (status === null) {
    void vscode.window.showWarningMessage(server.stoppedReason);
    return;
  }
  const report = statusReport(status);
  output.appendLine('--- Cromwell status ---');
  output.appendLine(report);
  output.show(true);
  const [model, state] = report.split('\n');
  void vscode.window.showInformationMessage(`Cromwell: ${state} — ${model}`);
}

/**
 * First run: the configured model is a catalogue name that is not installed, or a file that is
 * missing. A name gets a "Download" button; a path gets the setting.
 */
export async function checkModel(server: CromwellServer): Promise<void> {
  const spec = server.modelSpec();
  if (spec.kind === 'name' && !(await exists(spec.path))) {
    const choice = await vscode.window.showInformationMessage(
      `Cromwell needs a model to suggest code: ${spec.name} is not installed. Download it now?`,
      'Download',
      'Choose Another',
    );
    if (choice === 'Download') {
      await downloadModel(server, spec.name);
    } else if (choice === 'Choose Another') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'cromwell.model');
    }
  } else if (spec.kind === 'path' && !(await exists(spec.path))) {
    const choice = await vscode.window.showErrorMessage(
      `Cromwell: the model file ${spec.path} (setting cromwell.model) does not exist; set a GGUF file or a catalogue name.`,
      'Open Settings',
    );
    if (choice !== undefined) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'cromwell.model');
    }
  } else if (spec.kind === 'none') {
    void vscode.window.showInformationMessage('Cromwell: no model is set; set cromwell.model to a catalogue name or a GGUF file.');
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(p));
    return true;
  } catch {
    return false;
  }
}

