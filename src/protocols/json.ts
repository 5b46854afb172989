/**
 * awsJson1_0 / awsJson1_1: POST with X-Amz-Target `<prefix>.<Operation>`, JSON in and out.
 * Errors carry `__type` (`namespace#Code`) and, for services that moved from the query
 * protocol (SQS), the `x-amzn-query-error: <query code>;<fault>` header that lets SDKs give
 * the same error codes in both protocols.
 */
import { AwsError, SerializationException } from './errors.js';
import { validate, type StructureShape, type Violation } from './shapes.js';

export interface JsonErrorSpec {
  namespace: string;
  version: '1.0' | '1.1';
  queryCompatible?: boolean;
}

export function jsonContentType(version: '1.0' | '1.1'): string {
  return `application/x-amz-json-${version}`;
}

/** Parses and validates a JSON request body against the operation's input shape. */
export function decodeJsonInput(shape: StructureShape, body: Buffer): { value: Record<string, unknown>; violations: Violation[] } {
  let value: unknown;
  if (body.length === 0) value = {};
  else {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new SerializationException('Start of structure or map found where not expected.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationException('Start of structure or map found where not expected.');
  }
  const obj = value as Record<string, unknown>;
  return { value: obj, violations: validate(shape, obj) };
}

/** Buffers become base64 strings; undefined members vanish. */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  return value;
}

export function encodeJsonOutput(output: unknown): string {
  if (output === undefined || output === null) return '{}';
  return JSON.stringify(output, replacer);
}

export function encodeJsonError(err: AwsError, spec: JsonErrorSpec): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  if (spec.queryCompatible) headers['x-amzn-query-error'] = `${err.queryCode};${err.fault}`;
  const body = JSON.stringify({ __type: `${spec.namespace}#${err.code}`, message: err.message });
  return { headers, body };
}
