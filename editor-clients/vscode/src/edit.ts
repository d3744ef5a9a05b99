// "Cromwell: Edit Selection…": the arguments of the server's cromwell.edit command.

export interface Pos {
  line: number;
  character: number;
}

export interface LspRange {
  start: Pos;
  end: Pos;
}

export const EDIT_COMMAND = 'cromwell.edit';

/**
 * The lines to edit: the selection, or the cursor's line when nothing is selected. The server
 * edits whole lines; a selection that ends at column 0 of a later line does not include that line.
 */
export function editRange(selection: LspRange, lineLength: (line: number) => number): LspRange {
  const { start, end } = selection;
  if (start.line === end.line && start.character === end.character) {
    return { start: { line: start.line, character: 0 }, end: { line: start.line, character: lineLength(start.line) } };
  }
  return { start, end };
}

/** `workspace/executeCommand` params for cromwell.edit: one object {uri, range, instruction}. */
export function editCommand(uri: string, range: LspRange, instruction: string): { command: string; arguments: unknown[] } {
  return { command: EDIT_COMMAND, arguments: [{ uri, range, instruction: instruction.trim() }] };
}

/** An input-box check: the instruction may not be blank. */
export function validateInstruction(text: string): string | undefined {
  return text.trim() === '' ? 'Say what to change, e.g. "add a docstring"' : undefined;
}

/**
 * What to tell the user after cromwell.edit answered: null when the edit was applied. The server
 * returns the client's ApplyWorkspaceEditResult; an editor that refused the edit (an empty edit,
 * or the document changed meanwhile) answers {applied: false}.
 */
export function editOutcome(result: unknown): string | null {
  if (result !== null && typeof result === 'object' && 'applied' in result && result.applied === false) {
    const reason = 'failureReason' in result && typeof result.failureReason === 'string' ? `: ${result.failureReason}` : '';
    return `Cromwell: the edit was not applied${reason} (the model proposed no change, or the file changed meanwhile).`;
  }
  return null;
}

/**
 * The target of a cromwell.edit command that the server put in a code action ("Cromwell: edit
 * selection…"): it has no instruction yet, so the client asks for one. Both argument shapes are
 * read: one object {uri, range, instruction?}, and the older [uri, range]. Null when the
 * arguments already carry an instruction, or are not an edit's.
 */
export function editNeedingInstruction(args: readonly unknown[]): { uri: string; range: LspRange } | null {
  const [first, second] = args;
  if (typeof first === 'string' && isRange(second)) {
    return { uri: first, range: second };
  }
  if (first !== null && typeof first === 'object' && 'uri' in first && 'range' in first) {
    const o = first as { uri: unknown; range: unknown; instruction?: unknown };
    const given = typeof o.instruction === 'string' && o.instruction.trim() !== '';
    return !given && typeof o.uri === 'string' && isRange(o.range) ? { uri: o.uri, range: o.range } : null;
  }
  return null;
}

function isRange(r: unknown): r is LspRange {
  const pos = (p: unknown) => p !== null && typeof p === 'object' && typeof (p as Pos).line === 'number' && typeof (p as Pos).character === 'number';
  return r !== null && typeof r === 'object' && pos((r as LspRange).start) && pos((r as LspRange).end);
}
