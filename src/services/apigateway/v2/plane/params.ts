/**
 * Parameter mapping of HTTP APIs: values are static text with mapping expressions in it
 * (`$request.header.x`, `$request.querystring.x`, `$request.path.x`, `$request.path`,
 * `$request.body.a.b`, `$context.x`, `$stageVariables.x`; in response mappings also
 * `$response.header.x`, `$response.body.a`), each also in the `${...}` form. Request mappings
 * (`append|overwrite|remove:header.x`, `...:querystring.x`, `overwrite:path`) change what an
 * HTTP_PROXY integration sends; response mappings (`...:header.x`, `overwrite:statuscode`) change
 * the answer for a status code.
 */
import { contextVariables, headerValue, type Incoming } from './request.js';

const EXPR = /\$\{([^}]+)\}|\$((?:request|response|context|stageVariables)(?:\.[A-Za-z0-9_\-]+)+|request\.path)/g;

export interface ResponseView {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The value of one expression (without its `$`), or '' when it names nothing. */
function lookup(expr: string, inc: Incoming, response?: ResponseView): string {
  const parts = expr.split('.');
  const [root, kind] = parts;
  if (root === 'request') {
    const name = parts.slice(2).join('.');
    if (kind === 'header') return headerValue(inc.headers, name) ?? '';
    if (kind === 'querystring') return inc.query.getAll(name).join(',');
    if (kind === 'path') return parts.length === 2 ? inc.stagePath : (inc.pathParameters[name] ?? '');
    // `$request.body` alone is the body as sent; `$request.body.a.b` a member of a JSON body.
    if (kind === 'body') return parts.length === 2 ? inc.req.body.toString('utf8') : bodyPath(inc.req.body.toString('utf8'), parts.slice(2));
    return '';
  }
  if (root === 'response' && response) {
    const name = parts.slice(2).join('.');
    if (kind === 'header') return response.headers[name.toLowerCase()] ?? '';
    if (kind === 'body') return parts.length === 2 ? response.body : bodyPath(response.body, parts.slice(2));
    return '';
  }
  if (root === 'context') return stringOf(path(contextVariables(inc), parts.slice(1)));
  if (root === 'stageVariables') return inc.stage.stageVariables?.[parts.slice(1).join('.')] ?? '';
  return '';
}

/** A JSON body's member at `names` (bounded by the expression's own length), as text. */
function bodyPath(body: string, names: string[]): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return '';
  }
  return stringOf(path(value, names));
}

function path(value: unknown, names: string[]): unknown {
  let v = value;
  for (const n of names) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, n)) return undefined;
    v = (v as Record<string, unknown>)[n];
  }
  return v;
}

const stringOf = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A mapping value with its expressions replaced. */
export function evaluate(value: string, inc: Incoming, response?: ResponseView): string {
  return value.replace(EXPR, (_m, braced: string | undefined, bare: string | undefined) => lookup(braced ?? bare!, inc, response));
}

export interface OutgoingRequest {
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
}

/** Applies an integration's request parameters to what an HTTP_PROXY integration sends. */
export function mapRequest(params: Record<string, string> | undefined, inc: Incoming, out: OutgoingRequest): void {
  for (const [key, value] of Object.entries(params ?? {})) {
    const [action, target] = key.split(':', 2) as [string, string];
    if (target === 'path') {
      out.path = evaluate(value, inc);
      continue;
    }
    const dot = target.indexOf('.');
    const where = target.slice(0, dot);
    const name = target.slice(dot + 1);
    const v = action === 'remove' ? '' : evaluate(value, inc);
    if (where === 'header') {
      const h = name.toLowerCase();
      if (action === 'remove') delete out.headers[h];
      else if (action === 'append' && out.headers[h] !== undefined) out.headers[h] = `${out.headers[h]},${v}`;
      else out.headers[h] = v;
    } else if (where === 'querystring') {
      if (action !== 'append') out.query = out.query.filter(([k]) => k !== name);
      if (action !== 'remove') out.query.push([name, v]);
    }
  }
}

/** Applies the response parameters for the answer's status code (`overwrite:statuscode`, header changes). */
export function mapResponse(params: Record<string, Record<string, string>> | undefined, inc: Incoming, res: ResponseView): ResponseView {
  const mapping = params?.[String(res.status)];
  if (!mapping) return res;
  const out: ResponseView = { status: res.status, headers: { ...res.headers }, body: res.body };
  for (const [key, value] of Object.entries(mapping)) {
    const [action, target] = key.split(':', 2) as [string, string];
    if (target === 'statuscode') {
      const code = Number(evaluate(value, inc, res));
      if (Number.isInteger(code) && code >= 200 && code <= 599) out.status = code;
      continue;
    }
    const h = target.slice('header.'.length).toLowerCase();
    if (action === 'remove') delete out.headers[h];
    else {
      const v = evaluate(value, inc, res);
      out.headers[h] = action === 'append' && out.headers[h] !== undefined ? `${out.headers[h]},${v}` : v;
    }
  }
  return out;
}
