/**
 * Which deployed resource serves a path: at each level a literal path part beats a `{param}`,
 * which beats a greedy `{proxy+}` (which takes the rest of the path, one part at least). The
 * walk backtracks, so `/a/{x}/c` still serves `/a/b/c` when a literal `/a/b` leads nowhere.
 */
import type { Method, Resource } from '../model.js';

export interface ResourceMatch {
  resource: Resource;
  pathParameters: Record<string, string>;
}

/** A tree of the deployed resources by parent, built once per snapshot. */
export class ResourceTree {
  private readonly children = new Map<string, Resource[]>();
  private readonly root: Resource | undefined;

  constructor(resources: Record<string, Resource>) {
    let root: Resource | undefined;
    for (const r of Object.values(resources)) {
      if (!r.parentId) {
        root = r;
        continue;
      }
      const list = this.children.get(r.parentId) ?? [];
      list.push(r);
      this.children.set(r.parentId, list);
    }
    // Literal parts first, then `{param}`, then `{proxy+}`.
    const rank = (r: Resource) => (r.pathPart!.endsWith('+}') ? 2 : r.pathPart!.startsWith('{') ? 1 : 0);
    for (const list of this.children.values()) list.sort((a, b) => rank(a) - rank(b));
    this.root = root;
  }

  /** The resource for a path inside a stage (`/pets/1`), or undefined. */
  match(path: string): ResourceMatch | undefined {
    if (!this.root) return undefined;
    const parts = path.split('/').filter((p) => p !== '');
    // Path segments are matched decoded, as API Gateway hands path parameters over.
    const decoded = parts.map(safeDecode);
    const params: Record<string, string> = {};
    const found = this.walk(this.root, decoded, 0, params, 0);
    return found ? { resource: found, pathParameters: params } : undefined;
  }

  private walk(at: Resource, parts: string[], i: number, params: Record<string, string>, depth: number): Resource | undefined {
    if (i === parts.length) return at;
    // Bounded by the path's length (one level per part) and the tree's size.
    if (depth > 256) return undefined;
    for (const c of this.children.get(at.id) ?? []) {
      const part = c.pathPart!;
      if (part.endsWith('+}')) {
        params[part.slice(1, -2)] = parts.slice(i).join('/');
        return c;
      }
      if (part.startsWith('{')) {
        const name = part.slice(1, -1);
        params[name] = parts[i]!;
        const found = this.walk(c, parts, i + 1, params, depth + 1);
        if (found) return found;
        delete params[name];
        continue;
      }
      if (part === parts[i]) {
        const found = this.walk(c, parts, i + 1, params, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}

/** The method serving an HTTP method on a resource: its own, else ANY. */
export function methodFor(resource: Resource, httpMethod: string): Method | undefined {
  const methods = resource.resourceMethods ?? {};
  return (Object.hasOwn(methods, httpMethod) ? methods[httpMethod] : undefined) ?? (Object.hasOwn(methods, 'ANY') ? methods.ANY : undefined);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
