import * as vscode from 'vscode';
import { validateInstruction } from './edit';

/** The input box of Edit Selection (and of the server's "edit selection…" code action). */
export async function askInstruction(): Promise<string | undefined> {
  const instruction = await vscode.window.showInputBox({
    title: 'Cromwell: Edit Selection',
    prompt: 'What should change in the selected lines?',
    placeHolder: 'e.g. add a docstring',
    validateInput: validateInstruction,
  });
  return instruction === undefined || instruction.trim() === '' ? undefined : instruction.trim();
}
