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
}

export function jsonContentType(version: '1.0' | '1.1'): string {
  return `application/x-amz-json-${version}`;
}

/**
 * Parses and validates a JSON request body against the operation's input shape. As AWS's
 * JSON services do, a body that is not a JSON object and a member of the wrong JSON type are
 * SerializationExceptions (worded as AWS words them, or without a message where AWS sends
 * none); only missing required members are left to the service as violations.
 */
export function decodeJsonInput(shape: StructureShape, body: Buffer): { value: Record<string, unknown>; violations: Violation[] } {
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
  if (wrongType?.kind === 'type') throw new SerializationException(wrongTypeMessage(wrongType.expected, wrongType.value));
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
  return JSON.stringify(output, replacer);
}

export function encodeJsonError(err: AwsError, spec: JsonErrorSpec): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  if (spec.queryCompatible) headers['x-amzn-query-error'] = `${err.queryCode};${err.fault}`;
  // AWS leaves the message out of some errors (a body that is not JSON); so does Nimbus.
  const body = JSON.stringify({
    __type: `${spec.namespace}#${err.code}`,
    ...(err.message ? { message: err.message } : {}),
    ...err.jsonDetails(),
  });
  return { headers, body };
}
