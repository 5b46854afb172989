/**
 * The Update* operations of API Gateway v1 take `patchOperations` (JSON Patch-like `op`,
 * `path`, `value`, all strings). Each resource declares the paths AWS documents for it: scalar
 * members (`/name`, `/throttle/rateLimit`), maps keyed by the rest of the path
 * (`/requestTemplates/application~1json`, `~1` standing for `/` as in JSON Pointer) and sets
 * (`/binaryMediaTypes/image~1png`). A path not declared is refused before anything changes.
 */
import { list, string, structure } from '../../../../protocols/shapes.js';
import { BadRequestException } from '../../errors.js';

export interface PatchOp {
  op?: string;
  path?: string;
  value?: string;
  from?: string;
}

export const patchMember = {
  patchOperations: list(structure({ op: string({ enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }), path: string(), value: string(), from: string() })),
};

type Scalar = 'string' | 'boolean' | 'integer' | 'number';
export type FieldSpec =
  /** A member at `at` (nested objects made as needed); `remove` unsets it unless `ops` says otherwise. */
  | { kind: 'scalar'; type: Scalar; at: string[]; ops?: string[]; check?: (v: unknown) => void }
  /** Entries of a map member: add/replace set one, remove deletes it. */
  | { kind: 'map'; at: string[]; type?: Scalar }
  /** Items of a string list member: add puts one in, remove takes it out. */
  | { kind: 'set'; at: string[] };

export const scalar = (path: string, type: Scalar = 'string', extra: { ops?: string[]; check?: (v: unknown) => void } = {}): [string, FieldSpec] => [
  path,
  { kind: 'scalar', type, at: path.slice(1).split('/'), ...extra },
];
export const mapAt = (path: string, type?: Scalar): [string, FieldSpec] => [path, { kind: 'map', at: path.slice(1).split('/'), ...(type ? { type } : {}) }];
export const setAt = (path: string): [string, FieldSpec] => [path, { kind: 'set', at: path.slice(1).split('/') }];

/** `~1` is `/` and `~0` is `~`, as in a JSON Pointer. */
const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Applies `ops` to `target` in order. `custom` may claim an operation first (a stage's
 * `/{resource}/{method}/throttling/rateLimit`, a usage plan's `/apiStages`) by returning true.
 */
export function applyPatch(target: object, ops: PatchOp[] | undefined, fields: Array<[string, FieldSpec]>, custom?: (op: string, path: string, value: string | undefined) => boolean): void {
  const obj = target as Record<string, unknown>;
  for (const p of ops ?? []) {
    const op = p.op ?? 'replace';
    const path = p.path ?? '';
    if (!['add', 'remove', 'replace'].includes(op)) throw new BadRequestException(`Invalid patch operation specified. Must be one of: [add, remove, replace]`);
    if (custom?.(op, path, p.value)) continue;
    const found = fields.find(([f, spec]) => (spec.kind === 'scalar' ? path === f : path.startsWith(f + '/') && path.length > f.length + 1));
    if (!found) {
      // AWS's wording, with its two spaces (as observed in snapshot tests against AWS).
      throw new BadRequestException(`Invalid patch path  '${path}' specified for op '${op}'. Must be one of: [${fields.map(([f, s]) => (s.kind === 'scalar' ? f : `${f}/*`)).join(', ')}]`);
    }
    const [prefix, spec] = found;
    const parent = nest(obj, spec.at.slice(0, -1));
    const last = spec.at[spec.at.length - 1]!;
    if (spec.kind === 'scalar') {
      if (spec.ops && !spec.ops.includes(op)) throw new BadRequestException(`Invalid patch path  '${path}' specified for op '${op}'. Please choose supported operations`);
      if (op === 'remove') delete parent[last];
      else {
        const v = convert(spec.type, p.value, path);
        spec.check?.(v);
        parent[last] = v;
      }
      continue;
    }
    const key = unescape(path.slice(prefix.length + 1));
    if (spec.kind === 'map') {
      const m = (parent[last] ??= {}) as Record<string, unknown>;
      if (op === 'remove') delete m[key];
      else m[key] = convert(spec.type ?? 'string', p.value, path);
      if (Object.keys(m).length === 0) delete parent[last];
    } else {
      const items = ((parent[last] as string[] | undefined) ?? []).filter((i) => i !== key);
      if (op !== 'remove') items.push(key);
      parent[last] = items;
    }
  }
}

function nest(obj: Record<string, unknown>, at: string[]): Record<string, unknown> {
  let cur = obj;
  for (const k of at) {
    const next = cur[k];
    cur = (typeof next === 'object' && next !== null ? next : (cur[k] = {})) as Record<string, unknown>;
  }
  return cur;
}

function convert(type: Scalar, value: string | undefined, path: string): unknown {
  if (value === undefined) throw new BadRequestException(`Invalid patch value specified for path ${path}`);
  switch (type) {
    case 'string':
      return value;
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw new BadRequestException(`Invalid boolean value '${value}' specified for path ${path}`);
      return value === 'true';
    case 'integer': {
      if (!/^-?\d+$/.test(value)) throw new BadRequestException(`Invalid integer value '${value}' specified for path ${path}`);
      return Number(value);
    }
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new BadRequestException(`Invalid number value '${value}' specified for path ${path}`);
      return n;
    }
  }
}
