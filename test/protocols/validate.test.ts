import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineOperation } from '../../src/protocols/define-operation.js';
import { decodeQueryInput } from '../../src/protocols/query.js';
import { blob, integer, list, map, required, string, structure, validate, type ShapeType } from '../../src/protocols/shapes.js';
import { ConstraintList, fromViolations, renderValue, validationMessage } from '../../src/protocols/validate.js';

const message = (shape: Parameters<typeof validate>[0], value: Record<string, unknown>) => validationMessage(fromViolations(validate(shape, value)));

test('one broken constraint: AWS standard message', () => {
  const shape = structure({ QueueName: required(string({ max: 80 })) });
  assert.equal(
    message(shape, { QueueName: 'x'.repeat(81) }),
    `1 validation error detected: Value '${'x'.repeat(81)}' at 'queueName' failed to satisfy constraint: Member must have length less than or equal to 80`,
  );
  assert.deepEqual(validate(shape, { QueueName: 'ok' }), []);
});

test('every constraint kind, in member order, each its own violation', () => {
  const shape = structure({
    Name: string({ min: 3, pattern: '[a-z]+' }),
    Limit: integer({ min: 1, max: 100 }),
    Days: integer({ enum: [1, 3] }),
    Mode: string({ enum: ['A', 'B'] }),
    Ids: list(string(), { max: 1 }),
    Tags: map(string({ min: 1 }), string(), { min: 1 }),
    Missing: required(string()),
  });
  assert.equal(
    message(shape, { Name: 'X', Limit: 0, Days: 2, Mode: 'C', Ids: ['a', 'b'], Tags: {}, Missing: 'm' }),
    '7 validation errors detected: ' +
      "Value 'X' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
      "Value 'X' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
      "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      "Value '2' at 'days' failed to satisfy constraint: Member must satisfy enum value set: [1, 3]; " +
      "Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [A, B]; " +
      "Value '[a, b]' at 'ids' failed to satisfy constraint: Member must have length less than or equal to 1; " +
      "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
  assert.match(message(shape, { Limit: 101 }), /^2 validation errors detected: Value '101' at 'limit' .*less than or equal to 100; Value null at 'missing' .*Member must not be null$/);
});

test('nested paths: list members, map keys and values, structures', () => {
  const entry = structure({ Id: required(string({ min: 1 })), Inner: structure({ Count: integer({ max: 2 }) }) });
  const shape = structure({ Entries: list(entry), Tags: map(string({ pattern: '[a-z]+' }), string({ max: 1 })) });
  assert.equal(
    message(shape, { Entries: [{ Id: 'a' }, { Id: '', Inner: { Count: 3 } }, {}], Tags: { 'bad*key': 'xx' } }),
    '5 validation errors detected: ' +
      "Value '' at 'entries.2.member.id' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value '3' at 'entries.2.member.inner.count' failed to satisfy constraint: Member must have value less than or equal to 2; " +
      "Value null at 'entries.3.member.id' failed to satisfy constraint: Member must not be null; " +
      "Value 'bad*key' at 'tags.bad*key.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
      "Value 'xx' at 'tags.bad*key.member.value' failed to satisfy constraint: Member must have length less than or equal to 1",
  );
});

test('values render as AWS renders them', () => {
  assert.equal(renderValue(undefined), 'null');
  assert.equal(renderValue(null), 'null');
  assert.equal(renderValue('x'), "'x'");
  assert.equal(renderValue(5), "'5'");
  assert.equal(renderValue(['a', 'b']), "'[a, b]'");
  assert.equal(renderValue({ k: 'v', n: [1, 2] }), "'{k=v, n=[1, 2]}'");
  const key = structure({ AttributeName: string(), KeyType: string() }, { javaName: 'KeySchemaElement' });
  assert.equal(renderValue([{ AttributeName: 'x', KeyType: 'HASH' }], list(key)), "'[KeySchemaElement(attributeName=x, keyType=HASH)]'");
});

test('ConstraintList: the collector for checks a service keeps, and the 10-violation cap', () => {
  const c = new ConstraintList();
  c.present('tableName', undefined);
  c.length('indexName', 'ab', 3, 255).pattern('indexName', 'a!', { text: '[a-z]+', re: /^[a-z]+$/ }).range('limit', 0, 1).oneOf('mode', 'X', ['A']);
  c.add('requestItems', {}, 'Member must have length greater than or equal to 1', '');
  assert.equal(c.size, 6);
  assert.throws(
    () => c.throwIfAny((m) => new Error(m)),
    (e: Error) =>
      e.message.startsWith("6 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value 'ab' at 'indexName'") &&
      e.message.endsWith("; Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"),
  );
  for (let i = 0; i < 12; i++) c.add(`m${i}`, i, 'Member must not be null');
  assert.match(c.message({ max: 10 }), /^10 validation errors detected: /);
  new ConstraintList().throwIfAny(() => assert.fail('nothing to throw'));
});

test('defineOperation infers the handler input from the shapes', async () => {
  const input = structure({
    Name: required(string()),
    Mode: string({ enum: ['FAST', 'SLOW'] }),
    Sizes: list(integer()),
    Tags: map(string(), string()),
    Body: blob(),
  });
  type Input = ShapeType<typeof input>;
  const sample: Input = { Name: 'n', Mode: 'FAST', Sizes: [1], Tags: { a: 'b' }, Body: Buffer.from('') };
  // @ts-expect-error Mode is a union of the enum's values
  const wrongMode: Input = { Name: 'n', Mode: 'MEDIUM' };
  // @ts-expect-error Name is required
  const noName: Input = {};
  void wrongMode, noName;
  const op = defineOperation({
    input,
    output: structure({ Greeting: string() }),
    handler: (i) => {
      const name: string = i.Name;
      const mode: 'FAST' | 'SLOW' | undefined = i.Mode;
      const body: Buffer | undefined = i.Body;
      return { Greeting: `${name} ${mode ?? ''} ${body?.length ?? 0}` };
    },
  });
  defineOperation({
    input,
    // @ts-expect-error a handler whose input type is not the declared one does not compile
    handler: (i: { Name: number }) => i.Name,
  });
  defineOperation({
    input,
    output: structure({ Greeting: string() }),
    // @ts-expect-error nor one whose output is not the declared one
    handler: () => ({ Greeting: 5 }),
  });
  assert.deepEqual(await op.handler(sample, {} as never), { Greeting: 'n FAST 0' });
});

test('query inputs are held to the declared constraints too, after the decoder\'s own violations', () => {
  const shape = structure({ QueueName: required(string({ max: 5 })), Ids: list(string({ min: 2 }), { memberName: 'Id', flattened: true }), Url: required(string()) });
  const { violations } = decodeQueryInput(shape, new Map([['QueueName', 'toolong'], ['Id.1', 'a']]));
  assert.equal(
    validationMessage(fromViolations(violations)),
    "3 validation errors detected: Value null at 'url' failed to satisfy constraint: Member must not be null; " +
      "Value 'toolong' at 'queueName' failed to satisfy constraint: Member must have length less than or equal to 5; " +
      "Value 'a' at 'ids.1.member' failed to satisfy constraint: Member must have length greater than or equal to 2",
  );
  assert.deepEqual(decodeQueryInput(structure({ A: string() }), new Map([['A', 'x']])).violations, []);
});

test('a deeply nested value renders without overflowing the stack (its nesting is the caller\'s)', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const shown = renderValue(deep);
  assert.ok(shown.startsWith("'[[[") && shown.includes('...'), shown.slice(0, 80));
  assert.ok(shown.length < 200);
});
