/**
 * The restJson1 protocol (Lambda): routing and member locations are `rest.ts`'s; the body is a
 * JSON object of the members that have no location (or a payload member: Invoke's raw bytes),
 * and errors are a status, an `x-amzn-errortype` header and `{"Type", "message"}`.
 */
import type { AwsError } from './errors.js';
import { encodeJsonOutput } from './json.js';
import type { HttpBinding, RestBodyCodec, RestOutput } from './rest.js';
import { BAD_BODY, outputHeaders, RestAnswer } from './rest.js';
import { validate, type Member, type StructureShape, type Violation } from './shapes.js';

export const JSON_CONTENT_TYPE = 'application/json';

/** The shape of just the members that travel in the body, built once per operation shape. */
const bodyShapes = new WeakMap<StructureShape, StructureShape>();

function bodyShape(shape: StructureShape): StructureShape {
  let s = bodyShapes.get(shape);
  if (!s) {
    const members: Record<string, Member> = {};
    for (const [name, m] of Object.entries(shape.members)) if (!m.location) members[name] = m;
    bodyShapes.set(shape, (s = { kind: 'structure', members }));
  }
  return s;
}

function parseObject(body: Buffer): Record<string, unknown> | typeof BAD_BODY {
  if (body.length === 0) return {};
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : BAD_BODY;
  } catch {
    return BAD_BODY;
  }
}

/**
 * JSON bodies. A member of the wrong JSON type makes the body unreadable (BAD_BODY), as a
 * restJson1 service's deserializer refuses it; a missing required member is left to the
 * service's validation error.
 */
export const restJsonBody: RestBodyCodec = {
  payload(m: Member, _name: string, body: Buffer): unknown {
    const obj = parseObject(body);
    if (obj === BAD_BODY || m.shape.kind !== 'structure') return obj;
    return hasTypeViolation(validate(m.shape, obj)) ? BAD_BODY : obj;
  },
  bodyMembers(shape: StructureShape, body: Buffer) {
    const obj = parseObject(body);
    if (obj === BAD_BODY) return obj;
    const violations = validate(bodyShape(shape), obj).filter((v) => v.kind === 'type');
    return violations.length ? BAD_BODY : obj;
  },
};

const hasTypeViolation = (vs: Violation[]) => vs.some((v) => v.kind === 'type');

/** Header members as headers; a payload member as the raw body; the other members as one JSON object. */
export function encodeRestJsonOutput(shape: StructureShape | undefined, output: unknown, binding: HttpBinding): RestOutput {
  const status = binding.code ?? 200;
  if (output instanceof RestAnswer) return output;
  if (output === undefined || output === null) return status === 204 ? { status, headers: {}, body: '' } : { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: '{}' };
  // Without a declared output the handler's object is the body as it stands.
  if (!shape) return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: encodeJsonOutput(output) };
  const value = output as Record<string, unknown>;
  const headers = outputHeaders(shape, value);
  const body: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(shape.members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (m.location === 'payload') {
      headers['content-type'] ??= m.shape.kind === 'blob' ? 'application/octet-stream' : JSON_CONTENT_TYPE;
      return { status, headers, body: Buffer.isBuffer(v) || typeof v === 'string' ? v : encodeJsonOutput(v) };
    }
    if (!m.location) body[name] = v;
  }
  headers['content-type'] = JSON_CONTENT_TYPE;
  return { status, headers, body: encodeJsonOutput(body) };
}

/** A restJson1 error: the code in `x-amzn-errortype`, the fault as `Type`, details beside the message. */
export function encodeRestJsonError(err: AwsError): RestOutput {
  const body = JSON.stringify({ Type: err.fault === 'Receiver' ? 'Service' : 'User', message: err.message, ...err.jsonDetails() });
  return { status: err.status, headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-errortype': err.code }, body };
}
