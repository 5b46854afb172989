/**
 * awsJson1_0 / awsJson1_1: POST with X-Amz-Target `<prefix>.<Operation>`, JSON in and out.
 * Errors carry `__type` (`namespace#Code`) and, for services that moved from the query
 * protocol (SQS), the `x-amzn-query-error: <query code>;<fault>` header that lets SDKs give
 * the same error codes in both protocols.
 */
import { isUtf8 } from 'node:buffer';
import { AwsError, SerializationException } from './errors.js';
import { validate, type Shape, type StructureShape, type Violation } from './shapes.js';

export interface JsonErrorSpec {
  namespace: string;
  version: '1.0' | '1.1';
  queryCompatible?: boolean;
  /** DynamoDB's Coral framework: its own namespaces, wording and statuses (see `coralType`). */
  coral?: boolean;
}

export function jsonContentType(version: '1.0' | '1.1'): string {
  return `application/x-amz-json-${version}`;
}

/** The answer's media type: Coral (DynamoDB) answers `application/json` to a request sent as `application/json`. */
export function jsonAnswerType(spec: { version: '1.0' | '1.1'; coral?: boolean }, requestType: unknown): string {
  if (spec.coral && String(requestType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json') return 'application/json';
  return jsonContentType(spec.version);
}

/**
 * Parses and validates a JSON request body against the operation's input shape. As AWS's
 * JSON services do, a body that is not a JSON object and a member of the wrong JSON type are
 * SerializationExceptions (worded as AWS words them, or without a message where AWS sends
 * none); only missing required members are left to the service as violations.
 */
export function decodeJsonInput(shape: StructureShape, body: Buffer, coral = false): { value: Record<string, unknown>; violations: Violation[] } {
  // Bytes that are not UTF-8 would be read as U+FFFD and could name another key; AWS's
  // deserializers refuse them (DynamoDB's SerializationException carries no message).
  if (!isUtf8(body)) throw new SerializationException('');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SerializationException(''); // an empty body too: clients send `{}` for no input
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationException(Array.isArray(value) ? START_OF_LIST : '');
  }
  const obj = value as Record<string, unknown>;
  const violations = validate(shape, obj);
  const wrongType = violations.find((v) => v.kind === 'type');
  if (wrongType?.kind === 'type') {
    if (wrongType.error) throw wrongType.error;
    throw new SerializationException(coral && wrongType.shape ? coralWrongType(wrongType.shape, wrongType.value, wrongType.inList) : wrongTypeMessage(wrongType.expected, wrongType.value));
  }
  return { value: obj, violations };
}

const START_OF_LIST = 'Start of list found where not expected';

/** AWS's wording for a JSON value of the wrong type; empty where AWS's is not known. */
function wrongTypeMessage(expected: Shape['kind'], value: unknown): string {
  if (Array.isArray(value)) return START_OF_LIST;
  if (typeof value === 'object' && value !== null) return 'Start of structure or map found where not expected.';
  if (expected === 'list') return 'Expected list or null';
  if (expected === 'structure') return 'Expected null';
  const token =
    typeof value === 'string' ? 'STRING_VALUE' : typeof value === 'number' ? 'NUMBER_VALUE' : value === true ? 'TRUE_VALUE' : value === false ? 'FALSE_VALUE' : undefined;
  const target = expected === 'string' ? 'a String' : expected === 'integer' ? 'an Integer' : expected === 'boolean' ? 'a Boolean' : undefined;
  // A fractional number where an integer belongs is not a token mismatch; AWS's wording is unknown.
  if (!token || !target || (token === 'NUMBER_VALUE' && expected === 'integer')) return '';
  return `${token} can not be converted to ${target}`;
}

/**
 * A scalar where a collection inside a collection belongs (BatchGetItem's `Keys.0`, BatchWriteItem's
 * `RequestItems.<table>`): Coral's reflection fails on the element's generic type.
 */
const PARAMETERIZED =
  "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

/**
 * Coral's (DynamoDB's Java deserializer's) wording for a JSON value of the wrong type, as
 * DynamoDB answers it: `NUMBER_VALUE cannot be converted to String`, `Unexpected field type`,
 * `Unrecognized collection type class java.lang.Integer`, ...
 */
export function coralWrongType(shape: Shape, value: unknown, inList = false): string {
  const token = (v: unknown) =>
    typeof v === 'string' ? 'STRING_VALUE' : typeof v === 'boolean' ? (v ? 'TRUE_VALUE' : 'FALSE_VALUE') : Number.isInteger(v) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
  const STRUCT = 'Start of structure or map found where not expected';
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (shape.kind) {
    case 'string':
    case 'integer':
    case 'boolean': {
      const java = shape.kind === 'string' ? 'String' : shape.kind === 'integer' ? (shape.javaName ?? 'Integer') : 'Boolean';
      if (Array.isArray(value)) return `Unrecognized collection type class java.lang.${java}`;
      if (isObject) return STRUCT;
      if (shape.kind === 'boolean' && typeof value === 'string') return 'Unexpected token received from parser';
      return `${token(value)} cannot be converted to ${java}`;
    }
    case 'blob':
      if (Array.isArray(value)) return 'Unrecognized collection type class java.nio.ByteBuffer';
      if (isObject) return STRUCT;
      if (typeof value !== 'string') return 'only base-64-encoded strings are convertible to bytes';
      if (value.length % 4) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${value.length}`;
      return 'Invalid last non-pad Base64 character dectected';
    case 'list':
      if (isObject) return STRUCT;
      return inList && !Array.isArray(value) ? PARAMETERIZED : 'Unexpected field type';
    case 'map': {
      if (!Array.isArray(value)) return inList ? PARAMETERIZED : 'Unexpected field type';
      const of = shape.javaName ?? 'AttributeValue';
      return `Unrecognized collection type java.util.Map<java.lang.String, ${of.includes('.') ? of : `com.amazonaws.dynamodb.v20120810.${of}`}>`;
    }
    case 'structure':
      if (Array.isArray(value)) return `Unrecognized collection type class com.amazonaws.dynamodb.v20120810.${shape.javaName ?? ''}`;
      return inList ? 'Unexpected value type in payload' : 'Unexpected field type';
    default:
      return '';
  }
}

/** Errors Coral raises itself, before DynamoDB sees the request (`com.amazon.coral.service#...`). */
const CORAL_SERVICE = new Set([
  'SerializationException',
  'UnknownOperationException',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'InternalFailure',
]);
/** Coral's errors whose message member is spelled `Message`. */
const CORAL_CAPITAL_MESSAGE = new Set(['SerializationException', 'AccessDeniedException']);

/** The `__type` of an error under Coral: validation, Coral's own, or the service's namespace. */
export function coralType(code: string, namespace: string): string {
  if (code === 'ValidationException') return `com.amazon.coral.validate#${code}`;
  return `${CORAL_SERVICE.has(code) ? 'com.amazon.coral.service' : namespace}#${code}`;
}

/** Buffers become base64 strings; undefined members vanish. */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  return value;
}

/**
 * A response body that is already JSON text: a handler returns one to splice stored JSON (a
 * DynamoDB item kept in its wire form) into the answer without parsing and re-serializing it.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

export function encodeJsonOutput(output: unknown): string {
  if (output === undefined || output === null) return '{}';
  if (output instanceof RawJson) return output.text;
  // A replacer costs JSON.stringify its fast path (a call per value): most answers hold no
  // Buffer, and looking for one first costs less than half as much.
  return holdsBuffer(output, 0) ? JSON.stringify(output, replacer) : JSON.stringify(output);
}

/** Whether a value holds a Buffer anywhere (or nests deeper than any answer does: then say yes). */
function holdsBuffer(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > 64 || Buffer.isBuffer(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (holdsBuffer(v[i], depth + 1)) return true;
    return false;
  }
  for (const key in v) if (holdsBuffer((v as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

export function encodeJsonError(err: AwsError, spec: JsonErrorSpec): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  if (spec.queryCompatible) headers['x-amzn-query-error'] = `${err.queryCode};${err.fault}`;
  if (spec.coral) {
    const key = CORAL_CAPITAL_MESSAGE.has(err.code) ? 'Message' : 'message';
    const message = err.code === 'MissingAuthenticationTokenException' ? 'Request is missing Authentication Token' : err.message;
    return { headers, body: JSON.stringify({ __type: coralType(err.code, spec.namespace), ...(message ? { [key]: message } : {}), ...err.jsonDetails() }) };
  }
  // AWS leaves the message out of some errors (a body that is not JSON); so does Nimbus.
  const body = JSON.stringify({
    __type: `${spec.namespace}#${err.code}`,
    ...(err.message ? { message: err.message } : {}),
    ...err.jsonDetails(),
  });
  return { headers, body };
}
