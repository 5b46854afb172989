import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blob, integer, list, map, required, string, structure, validate } from '../../src/protocols/shapes.js';

const entry = structure({ Id: required(string()), N: integer() });
const shape = structure({
  Name: required(string()),
  Entries: list(entry),
  Tags: map(string(), string()),
  Data: blob(),
});

test('valid input passes; blobs become Buffers; null members count as absent', () => {
  const value: Record<string, unknown> = { Name: 'x', Entries: [{ Id: 'a', N: 1 }], Tags: { k: 'v' }, Data: 'aGk=', Extra: 1, N: null };
  assert.deepEqual(validate(shape, value), []);
  assert.deepEqual(value.Data, Buffer.from('hi'));
  const missing = validate(shape, { Name: null });
  assert.deepEqual(missing, [{ kind: 'missing', path: 'Name', member: 'Name', at: 'name' }]);
});

test('wrong types, and null inside lists and maps, are violations, never exceptions', () => {
  const cases: Record<string, unknown>[] = [
    { Name: 1 },
    { Name: 'x', Entries: [null] },
    { Name: 'x', Entries: [{ Id: null }] },
    { Name: 'x', Entries: [1] },
    { Name: 'x', Entries: {} },
    { Name: 'x', Tags: { k: null } },
    { Name: 'x', Tags: [] },
    { Name: 'x', Data: 'not base64!' },
    { Name: 'x', Entries: [{ Id: 'a', N: 1.5 }] },
  ];
  for (const c of cases) assert.ok(validate(shape, c).length > 0, JSON.stringify(c));
});
