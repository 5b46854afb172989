/**
 * Document paths over items: reading a nested value, copying values, and DynamoDB's projection.
 * Lookups use own properties only, so an attribute called "constructor" or "__proto__" is an
 * attribute like any other and never JavaScript's prototype machinery.
 */
import { setOwn } from '../../../../lib/own.js';
import type { Path } from './ast.js';
import type { AttributeValue, Item } from '../types.js';

/** The value at `path` in `item`; undefined when any step is missing or of the wrong kind. */
export function getPath(item: Item | undefined, path: Path): AttributeValue | undefined {
  if (!item || !path.length) return undefined;
  const head = path[0];
  if (typeof head !== 'string' || !Object.hasOwn(item, head)) return undefined;
  let cur: AttributeValue | undefined = item[head];
  for (let i = 1; i < path.length && cur; i++) cur = step(cur, path[i]!);
  return cur;
}

/** One step down: a map key into an M, an index into an L. */
export function step(v: AttributeValue, key: string | number): AttributeValue | undefined {
  if (typeof key === 'string') return 'M' in v && Object.hasOwn(v.M, key) ? v.M[key] : undefined;
  return 'L' in v && key < v.L.length ? v.L[key] : undefined;
}

export function cloneValue(v: AttributeValue): AttributeValue {
  if ('M' in v) return { M: cloneItem(v.M) };
  if ('L' in v) return { L: v.L.map(cloneValue) };
  if ('SS' in v) return { SS: [...v.SS] };
  if ('NS' in v) return { NS: [...v.NS] };
  if ('BS' in v) return { BS: [...v.BS] };
  return { ...v } as AttributeValue;
}

export function cloneItem(item: Item): Item {
  const out: Item = {};
  for (const k of Object.keys(item)) setOwn(out, k, cloneValue(item[k]!));
  return out;
}

/** A projection being built: values picked so far, with list elements keyed by their index. */
type Picked = { value: AttributeValue } | { map: Map<string, Picked> } | { list: Map<number, Picked> };

/**
 * DynamoDB's projection: each path that exists in the item is copied with the maps and lists
 * leading to it, keeping nothing else of them; list elements picked from one list keep their
 * order but close up (`a.b[0], a.b[2]` of `{a: {b: [1, 2, 3]}}` gives `{a: {b: [1, 3]}}`), and
 * paths that do not exist are left out (Scylla's Alternator tests, checked against DynamoDB).
 */
export function project(item: Item, paths: Path[]): Item {
  const root = new Map<string, Picked>();
  for (const path of paths) {
    const value = getPath(item, path);
    if (value === undefined) continue;
    pick(root, path, 0, value);
  }
  const out: Item = {};
  for (const [k, p] of root) setOwn(out, k, materialize(p));
  return out;
}

function pick(container: Map<string | number, Picked>, path: Path, i: number, value: AttributeValue): void {
  const key = path[i]!;
  const existing = container.get(key);
  if (i === path.length - 1) {
    container.set(key, { value });
    return;
  }
  if (existing && 'value' in existing) return; // an enclosing value is already whole
  const nextIsIndex = typeof path[i + 1] === 'number';
  let child = existing;
  if (!child || (nextIsIndex ? !('list' in child) : !('map' in child))) {
    child = nextIsIndex ? { list: new Map() } : { map: new Map() };
    container.set(key, child);
  }
  pick(('list' in child ? child.list : (child as { map: Map<string, Picked> }).map) as Map<string | number, Picked>, path, i + 1, value);
}

function materialize(p: Picked): AttributeValue {
  if ('value' in p) return cloneValue(p.value);
  if ('map' in p) {
    const m: Item = {};
    for (const [k, c] of p.map) setOwn(m, k, materialize(c));
    return { M: m };
  }
  return { L: [...p.list.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => materialize(c)) };
}
