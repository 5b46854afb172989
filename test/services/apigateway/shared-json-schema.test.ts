import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaProblems, SchemaTooComplex, validateJsonSchema, validationErrorString, type Json } from '../../../src/services/apigateway/shared/json-schema.js';

const errors = (schema: Record<string, unknown>, v: Json, resolve?: (ref: string) => Record<string, unknown> | undefined) => validateJsonSchema(schema, v, resolve).errors;

describe('JSON Schema draft 4, worded as API Gateway words it', () => {
  it('types: a whole number is an integer, and number allows integers', () => {
    assert.deepEqual(errors({ type: 'number' }, '3'), ['instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])']);
    assert.deepEqual(errors({ type: 'integer' }, 1.5), ['instance type (number) does not match any allowed primitive type (allowed: ["integer"])']);
    assert.deepEqual(errors({ type: ['string', 'null'] }, true), ['instance type (boolean) does not match any allowed primitive type (allowed: ["null","string"])']);
    assert.deepEqual(errors({ type: 'number' }, 3), []);
    assert.deepEqual(errors({ type: 'object' }, []), ['instance type (array) does not match any allowed primitive type (allowed: ["object"])']);
  });

  it('objects: required, additionalProperties, sizes, dependencies', () => {
    const pet = { type: 'object', required: ['type', 'price'], properties: { type: { type: 'string' }, price: { type: 'number' } }, additionalProperties: false };
    assert.deepEqual(errors(pet, { name: 'x' }), ['object has missing required properties (["price","type"])', 'object instance has properties which are not allowed by the schema: ["name"]']);
    assert.deepEqual(errors(pet, { type: 'dog', price: 3 }), []);
    assert.deepEqual(errors({ minProperties: 2, maxProperties: 2 }, { a: 1 }), ['object has too few properties (found 1 but schema requires at least 2)']);
    assert.deepEqual(errors({ maxProperties: 1 }, { a: 1, b: 2 }), ['object has too many properties (found 2 but schema requires at most 1)']);
    assert.deepEqual(errors({ dependencies: { card: ['billing'] } }, { card: 1 }), ['property "card" of object has missing property dependencies (schema requires ["billing"]; missing: ["billing"])']);
    assert.deepEqual(errors({ patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false }, { 'x-a': 1, b: 1 }), ['object instance has properties which are not allowed by the schema: ["b"]']);
    assert.deepEqual(errors({ patternProperties: { '^x-': { type: 'string' } } }, { 'x-a': 1 }), ['instance type (integer) does not match any allowed primitive type (allowed: ["string"])']);
  });

  it('members are checked only when their container passed its own keywords', () => {
    const s = { type: 'object', required: ['a'], properties: { b: { type: 'string' } } };
    assert.deepEqual(errors(s, { b: 1 }), ['object has missing required properties (["a"])']);
    assert.deepEqual(errors(s, { a: 1, b: 1 }), ['instance type (integer) does not match any allowed primitive type (allowed: ["string"])']);
  });

  it('numbers and strings', () => {
    assert.deepEqual(errors({ minimum: 0 }, -1), ['numeric instance is lower than the required minimum (minimum: 0, found: -1)']);
    assert.deepEqual(errors({ maximum: 500 }, 501), ['numeric instance is greater than the required maximum (maximum: 500, found: 501)']);
    assert.deepEqual(errors({ minimum: 0, exclusiveMinimum: true }, 0), ['numeric instance is not strictly greater than the required minimum 0']);
    assert.deepEqual(errors({ maximum: 5, exclusiveMaximum: true }, 5), ['numeric instance is not strictly lower than the required maximum 5']);
    assert.deepEqual(errors({ multipleOf: 0.5 }, 1.25), ['remainder of division is not zero (1.25 / 0.5)']);
    assert.deepEqual(errors({ multipleOf: 0.1 }, 0.3), []);
    assert.deepEqual(errors({ minLength: 5 }, 'abc'), ['string "abc" is too short (length: 3, required minimum: 5)']);
    assert.deepEqual(errors({ maxLength: 2 }, 'abc'), ['string "abc" is too long (length: 3, maximum allowed: 2)']);
    assert.deepEqual(errors({ maxLength: 1 }, '😀'), [], 'lengths count code points');
    assert.deepEqual(errors({ pattern: '^[a-z]+$' }, 'ABC'), ['ECMA 262 regex "^[a-z]+$" does not match input string "ABC"']);
    assert.deepEqual(errors({ enum: ['dog', 'cat'] }, 'bird'), ['instance value ("bird") not found in enum (possible values: ["dog","cat"])']);
    assert.deepEqual(errors({ enum: [{ a: [1] }] }, { a: [1] }), []);
  });

  it('arrays', () => {
    assert.deepEqual(errors({ minItems: 1 }, []), ['array is too short: must have at least 1 elements but instance has 0 elements']);
    assert.deepEqual(errors({ maxItems: 1 }, [1, 2]), ['array is too long: must have at most 1 elements but instance has 2 elements']);
    assert.deepEqual(errors({ uniqueItems: true }, [{ a: 1 }, { a: 1 }]), ['array must not contain duplicate elements']);
    assert.deepEqual(errors({ items: [{ type: 'string' }], additionalItems: false }, ['a', 'b']), ['schema only allows 1 elements in array but instance has 2 elements']);
    assert.deepEqual(errors({ items: { type: 'string' } }, ['a', 2]), ['instance type (integer) does not match any allowed primitive type (allowed: ["string"])']);
  });

  it('combinations', () => {
    assert.deepEqual(errors({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, true), ['instance failed to match at least one required schema among 2']);
    assert.deepEqual(errors({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1), ['instance failed to match exactly one schema (matched 2 out of 2)']);
    assert.deepEqual(errors({ allOf: [{ type: 'number' }, { minimum: 3 }] }, 1), ['instance failed to match all required schemas (matched only 1 out of 2)']);
    assert.deepEqual(errors({ not: { type: 'null' } }, null), ['instance matched a schema which it should not have']);
  });

  it('follows local references and other models by their canonical URL', () => {
    const s = { type: 'object', properties: { where: { $ref: '#/definitions/Location' }, owner: { $ref: 'https://apigateway.amazonaws.com/restapis/abc/models/Person' } }, definitions: { Location: { type: 'object', required: ['lat'] } } };
    const person = { type: 'object', required: ['name'] };
    const resolve = (ref: string) => (ref.endsWith('/models/Person') ? person : undefined);
    assert.deepEqual(errors(s, { where: {}, owner: {} }, resolve), ['object has missing required properties (["lat"])', 'object has missing required properties (["name"])']);
    assert.deepEqual(errors(s, { where: { lat: 1 }, owner: { name: 'x' } }, resolve), []);
  });

  it('is bounded: a reference loop and an oversized walk stop with SchemaTooComplex', () => {
    assert.throws(() => errors({ $ref: '#/definitions/a', definitions: { a: { $ref: '#/definitions/a' } } }, 1), SchemaTooComplex);
    const deep = { type: 'array', items: { $ref: '#' } };
    let v: Json = [];
    for (let i = 0; i < 100; i++) v = [v];
    assert.throws(() => errors(deep, v), SchemaTooComplex);
  });

  it('writes the validation error string as AWS does', () => {
    assert.equal(validationErrorString(['a', 'b']), '[a, b]');
  });

  it('refuses schemas AWS refuses', () => {
    assert.deepEqual(schemaProblems({ type: 'object' }, () => false), []);
    assert.deepEqual(schemaProblems('x', () => false), ['Invalid model schema specified']);
    assert.deepEqual(schemaProblems({ type: 'thing' }, () => false), ['Invalid model schema specified']);
    assert.deepEqual(schemaProblems({ required: [] }, () => false), ['Invalid model schema specified']);
    assert.deepEqual(schemaProblems({ properties: { a: { $ref: 'http://elsewhere/x' } } }, () => false), ['Model reference must be in canonical form']);
    assert.deepEqual(schemaProblems({ pattern: '(' }, () => false), ['Invalid model schema specified']);
  });
});
