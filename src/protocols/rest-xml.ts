/**
 * The REST-XML protocol (S3): routing and member locations are `rest.ts`'s; here are the XML
 * bodies (a structure payload member such as `<CreateBucketConfiguration>`) and S3's errors,
 * `<Error><Code/><Message/>...<RequestId/></Error>`.
 */
import { XMLParser } from 'fast-xml-parser';
import type { AwsError } from './errors.js';
import type { HttpBinding, RestBodyCodec, RestOutput } from './rest.js';
import { BAD_BODY, outputHeaders, RestAnswer } from './rest.js';
import type { Member, Shape, StructureShape } from './shapes.js';
import { encodeXmlStructure, escapeXml } from './xml.js';

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true, ignoreDeclaration: true });

/** XML bodies: a structure payload is its root element; members without a location have none in S3. */
export const restXmlBody: RestBodyCodec = {
  payload(m: Member, name: string, body: Buffer): unknown {
    let doc: Record<string, unknown>;
    try {
      doc = xmlParser.parse(body.toString('utf8'), true) as Record<string, unknown>;
    } catch {
      return BAD_BODY;
    }
    const root = doc[m.xmlName ?? name];
    if (root === undefined) return BAD_BODY;
    return fromXml(m.shape, root);
  },
  bodyMembers: () => ({}),
};

/** An element parsed by fast-xml-parser, read as `shape` (lists and flattened lists both). */
function fromXml(shape: Shape, node: unknown): unknown {
  switch (shape.kind) {
    case 'structure': {
      if (typeof node !== 'object' || node === null) return {};
      const obj = node as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const ms = member.shape;
        const el = ms.kind === 'list' && ms.flattened ? obj[ms.memberName ?? member.xmlName ?? name] : obj[member.xmlName ?? name];
        if (el === undefined) continue;
        out[name] = ms.kind === 'list' && ms.flattened ? asArray(el).map((e) => fromXml(ms.member, e)) : fromXml(ms, el);
      }
      return out;
    }
    case 'list': {
      const inner = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[shape.memberName ?? 'member'] : undefined;
      return inner === undefined ? [] : asArray(inner).map((e) => fromXml(shape.member, e));
    }
    case 'integer':
      return Number(String(node).trim());
    case 'boolean':
      return String(node).trim().toLowerCase() === 'true';
    default:
      return typeof node === 'string' ? node : node === '' || node === undefined ? '' : String(node);
  }
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

// ---- output -----------------------------------------------------------------------------------

/** A handler's answer when it writes the body itself (S3's GetBucketLocation text element). */
export class RawXml {
  constructor(readonly xml: string) {}
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * The HTTP answer for an operation's output: header members as headers, the payload member
 * (or, with none, the members without a location under `root`) as the body.
 */
export function encodeRestOutput(shape: StructureShape | undefined, output: unknown, binding: HttpBinding, xmlNamespace: string, root?: string): RestOutput {
  const headers: Record<string, string> = {};
  const status = binding.code ?? 200;
  if (output instanceof RestAnswer) return output;
  if (output instanceof RawXml) return { status, headers: { 'content-type': 'application/xml' }, body: XML_DECLARATION + output.xml };
  if (!shape || output === undefined || output === null) return { status, headers, body: '' };
  const value = output as Record<string, unknown>;
  Object.assign(headers, outputHeaders(shape, value));
  const bodyMembers: Record<string, Member> = {};
  let body: string | Buffer = '';
  for (const [name, m] of Object.entries(shape.members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (m.location === 'payload') {
      if (Buffer.isBuffer(v) || typeof v === 'string') body = v;
      else if (m.shape.kind === 'structure') body = xmlDocument(m.xmlName ?? name, xmlNamespace, encodeXmlStructure(m.shape, v as Record<string, unknown>));
    } else if (!m.location) bodyMembers[name] = m;
  }
  if (root && Object.keys(bodyMembers).length) {
    body = xmlDocument(root, xmlNamespace, encodeXmlStructure({ kind: 'structure', members: bodyMembers }, value));
  }
  if (typeof body === 'string' && body.startsWith('<?xml')) headers['content-type'] = 'application/xml';
  return { status, headers, body };
}

function xmlDocument(root: string, ns: string, inner: string): string {
  return `${XML_DECLARATION}<${root} xmlns="${escapeXml(ns)}">${inner}</${root}>`;
}

/** S3's error body (HostId is the request id: there is one host); HEAD answers carry none. */
export function encodeRestXmlError(err: AwsError, requestId: string): string {
  let details = '';
  for (const [k, v] of Object.entries(err.xmlDetails() ?? {})) details += `<${k}>${escapeXml(v)}</${k}>`;
  return (
    `${XML_DECLARATION}<Error><Code>${escapeXml(err.queryCode)}</Code><Message>${escapeXml(err.queryMessage)}</Message>${details}` +
    `<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(requestId)}</HostId></Error>`
  );
}

/** The error body of REST-XML services other than S3 (CloudFront): `<ErrorResponse>` with the fault type. */
export function encodeRestXmlErrorResponse(err: AwsError, requestId: string, xmlNamespace: string): string {
  return (
    `${XML_DECLARATION}<ErrorResponse xmlns="${escapeXml(xmlNamespace)}"><Error><Type>${err.fault}</Type><Code>${escapeXml(err.queryCode)}</Code>` +
    `<Message>${escapeXml(err.queryMessage)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
