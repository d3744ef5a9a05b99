// Cromwell for VS Code: starts the Cromwell language server (ghost text comes from its
// textDocument/inlineCompletion through vscode-languageclient), and adds the edit, download and
// status commands, a status-bar item, and the first-run model check.
import * as vscode from 'vscode';
import { checkModel, downloadModel, editSelection, showStatus } from './commands';
import { CromwellServer } from './server';
import { StatusItem } from './statusItem';

let server: CromwellServer | null = null;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Cromwell', { log: true });
  const s = new CromwellServer(context, output);
  server = s;
  context.subscriptions.push(
    output,
    s,
    new StatusItem(s, output),
    vscode.commands.registerCommand('cromwell.editSelection', () => editSelection(s, output)),
    vscode.commands.registerCommand('cromwell.downloadModel', () => downloadModel(s)),
    vscode.commands.registerCommand('cromwell.showStatus', () => showStatus(s, output)),
    vscode.commands.registerCommand('cromwell.restartServer', () => s.restart()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      await s.configurationChanged(e);
      if (e.affectsConfiguration('cromwell.model')) {
        await checkModel(s);
      }
    }),
  );
  await s.start();
  void checkModel(s);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = null;
}
