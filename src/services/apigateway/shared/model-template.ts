/**
 * A model's default mapping template (v2 GetModelTemplate, v1 GetModelTemplate): a Velocity
 * template that copies a body of the model's shape member by member, as API Gateway generates
 * one from a JSON schema: strings quoted, numbers and booleans as they are, objects member by
 * member, arrays with `#foreach`. `$ref`s (local or to another model of the API) are followed.
 * Bounded in depth and size; whitespace follows AWS's generated templates in spirit, not byte
 * for byte (unconfirmed).
 */
type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;
const MAX_LINES = 2000;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mappingTemplateOf(schema: Schema, other: (ref: string) => Schema | undefined): string {
  const lines = ["#set($inputRoot = $input.path('$'))"];
  let loops = 0;
  const push = (line: string) => {
    if (lines.length < MAX_LINES) lines.push(line);
  };

  /** Follows `$ref`s from `s`, with its document's root: `#/definitions/X` locally, a model URL to that model. */
  const deref = (root: Schema, s: Schema): { root: Schema; s: Schema } => {
    for (let hops = 0; typeof s.$ref === 'string' && hops < MAX_DEPTH; hops++) {
      const ref = s.$ref;
      let next: unknown;
      if (ref.startsWith('#')) {
        next = root;
        for (const part of ref.slice(1).split('/').filter(Boolean)) next = isObject(next) ? next[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
      } else {
        next = other(ref);
        if (isObject(next)) root = next;
      }
      if (!isObject(next)) return { root, s: {} };
      s = next;
    }
    return { root, s };
  };

  const kind = (s: Schema): string => {
    const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
    if (typeof t === 'string') return t;
    if (isObject(s.properties)) return 'object';
    if (s.items !== undefined) return 'array';
    return 'string';
  };

  /** Writes the value at `ref` (a VTL reference such as `$inputRoot.name`) after `prefix`, then `suffix`. */
  const value = (root: Schema, raw: Schema, ref: string, indent: string, prefix: string, suffix: string, depth: number): void => {
    const { root: r, s } = deref(root, raw);
    const k = depth > MAX_DEPTH ? 'string' : kind(s);
    if (k === 'object') {
      const props = Object.entries(isObject(s.properties) ? s.properties : {});
      push(`${indent}${prefix}{`);
      props.forEach(([name, p], i) => {
        const member = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${ref}.${name}` : `${ref}.get(${JSON.stringify(name)})`;
        value(r, isObject(p) ? p : {}, member, `${indent}  `, `${JSON.stringify(name)} : `, i < props.length - 1 ? ',' : '', depth + 1);
      });
      push(`${indent}}${suffix}`);
    } else if (k === 'array') {
      const elem = loops++ === 0 ? '$elem' : `$elem${loops - 1}`;
      const items = isObject(s.items) ? s.items : {};
      push(`${indent}${prefix}[`);
      push(`#foreach(${elem} in ${ref})`);
      value(r, items, elem, `${indent}  `, '', '#if($foreach.hasNext),#end', depth + 1);
      push('#end');
      push(`${indent}]${suffix}`);
    } else if (k === 'string') push(`${indent}${prefix}"${ref}"${suffix}`);
    else push(`${indent}${prefix}${ref}${suffix}`);
  };

  value(schema, schema, '$inputRoot', '', '', '', 0);
  return lines.join('\n');
}
