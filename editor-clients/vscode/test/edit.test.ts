import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { editCommand, editNeedingInstruction, editOutcome, editRange, validateInstruction } from '../src/edit';

test('an empty selection edits the cursor line', () => {
  const r = editRange({ start: { line: 3, character: 4 }, end: { line: 3, character: 4 } }, () => 17);
  assert.deepEqual(r, { start: { line: 3, character: 0 }, end: { line: 3, character: 17 } });
});

test('a selection is passed as it is', () => {
  const sel = { start: { line: 1, character: 2 }, end: { line: 5, character: 0 } };
  assert.deepEqual(editRange(sel, () => 0), sel);
});

test('cromwell.edit gets one object {uri, range, instruction}', () => {
  const range = { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } };
  assert.deepEqual(editCommand('file:///a.py', range, '  add a docstring '), {
    command: 'cromwell.edit',
    arguments: [{ uri: 'file:///a.py', range, instruction: 'add a docstring' }],
  });
});

test('a blank instruction is refused in the input box', () => {
  assert.ok(validateInstruction('   '));
  assert.equal(validateInstruction('add a docstring'), undefined);
});

test('an edit the editor did not apply is reported', () => {
  assert.equal(editOutcome({ applied: true }), null);
  assert.match(editOutcome({ applied: false }) ?? '', /the edit was not applied \(the model proposed no change/);
  assert.match(editOutcome({ applied: false, failureReason: 'version mismatch' }) ?? '', /not applied: version mismatch/);
  assert.equal(editOutcome(null), null, 'an editor without applyEdit support gets the edit back instead');
});

test("a code action's cromwell.edit without an instruction is recognised in both shapes", () => {
  const range = { start: { line: 1, character: 0 }, end: { line: 3, character: 2 } };
  assert.deepEqual(editNeedingInstruction(['file:///a.py', range]), { uri: 'file:///a.py', range });
  assert.deepEqual(editNeedingInstruction([{ uri: 'file:///a.py', range }]), { uri: 'file:///a.py', range });
  assert.deepEqual(editNeedingInstruction([{ uri: 'file:///a.py', range, instruction: ' ' }]), { uri: 'file:///a.py', range });
  assert.equal(editNeedingInstruction([{ uri: 'file:///a.py', range, instruction: 'add types' }]), null);
  assert.equal(editNeedingInstruction([]), null);
  assert.equal(editNeedingInstruction(['file:///a.py', { start: 1 }]), null);
});
