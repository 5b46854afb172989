/**
 * Applying an update to an item, as DynamoDB does (Scylla's Alternator tests, checked against
 * DynamoDB, and the UpdateExpression guide):
 * - every value is read from the item as it was before the update, so `SET x = :v, y = x` reads
 *   the old x, and `REMOVE a SET b = a` copies a before it goes;
 * - list indexes name positions in the list as it was: `REMOVE a[1] SET a[3] = :v` on
 *   [2,3,4,5,6,7] gives [2,4,v,6,7]; removed elements close up; setting an index past the end
 *   appends, several appends in index order;
 * - writing below a missing or wrongly typed parent is "The document path provided in the update
 *   expression is invalid for update"; removing a missing leaf (a map key, an index past the end)
 *   does nothing, and so does a REMOVE below a missing parent when the item does not exist at all
 *   (a DynamoDB quirk Scylla's tests record; the caller says so with `itemExists: false`);
 * - a DELETE that empties a set removes the attribute (sets are never empty).
 */
import { setOwn } from '../../../../lib/own.js';
import { ValidationException } from '../../errors.js';
import type { Path, UpdateAst, UpdateValue } from './ast.js';
import { cloneItem, cloneValue, getPath, step } from './paths.js';
import { addNumbers, normalizeNumber, subtractNumbers } from '../numbers.js';
import type { AttributeValue, Item } from '../types.js';

export const DOCUMENT_PATH_INVALID = 'The document path provided in the update expression is invalid for update';
export const MISSING_ATTRIBUTE = 'The provided expression refers to an attribute that does not exist in the item';
export const INCORRECT_OPERAND = 'An operand in the update expression has an incorrect data type';
export const LEGACY_MISMATCH = 'Type mismatch for attribute to update';

export interface UpdateResult {
  /** The updated item; the input item is left untouched. */
  item: Item;
  /** Top-level attributes the update wrote or removed, in the order first written. */
  touched: string[];
  /**
   * The path of every action, for ReturnValues UPDATED_OLD: DynamoDB returns only what the
   * update changed, nested fragments included (`SET m.a.b = :v` returns `{m: {a: {b: old}}}`,
   * not all of m, as ExtendDB and dynoxide recorded against AWS), i.e. project(old, paths).
   */
  paths: Path[];
  /** The paths given a value (not REMOVEd), for UPDATED_NEW: project(new, newPaths). */
  newPaths: Path[];
}

export interface ApplyOptions {
  /** False when the update creates the item: its REMOVEs of nested paths are then no-ops. */
  itemExists?: boolean;
}

type Target = { map: Record<string, AttributeValue>; key: string } | { list: AttributeValue[]; index: number };

interface ListChanges {
  removals: Set<number>;
  appends: { index: number; value: AttributeValue }[];
}

export function applyUpdate(ast: UpdateAst, item: Item, options: ApplyOptions = {}): UpdateResult {
  const mismatch = ast.legacy ? LEGACY_MISMATCH : INCORRECT_OPERAND;
  const values = ast.actions.map((a) => (a.kind === 'set' ? evaluateValue(a.value, item) : undefined));
  const work = cloneItem(item);
  const targets = ast.actions.map((a) => locate(work, a.path));
  targets.forEach((t, i) => {
    if (!t && !(ast.actions[i]!.kind === 'remove' && options.itemExists === false)) throw new ValidationException(DOCUMENT_PATH_INVALID);
  });

  const lists = new Map<AttributeValue[], ListChanges>();
  const changes = (list: AttributeValue[]): ListChanges => {
    let c = lists.get(list);
    if (!c) lists.set(list, (c = { removals: new Set(), appends: [] }));
    return c;
  };
  const write = (t: Target, v: AttributeValue): void => {
    if ('map' in t) setOwn(t.map, t.key, v);
    else if (t.index < t.list.length) t.list[t.index] = v;
    else changes(t.list).appends.push({ index: t.index, value: v });
  };
  const erase = (t: Target): void => {
    if ('map' in t) delete t.map[t.key];
    else if (t.index < t.list.length) changes(t.list).removals.add(t.index);
  };

  ast.actions.forEach((action, i) => {
    const t = targets[i];
    if (!t) return;
    switch (action.kind) {
      case 'set':
        write(t, cloneValue(values[i]!));
        break;
      case 'remove':
        erase(t);
        break;
      case 'add': {
        const next = added(read(t), action.value, mismatch);
        write(t, next);
        break;
      }
      case 'delete': {
        const existing = read(t);
        if (existing === undefined) break;
        const rest = removedFrom(existing, action.value, mismatch);
        if (rest) write(t, rest);
        else erase(t);
        break;
      }
    }
  });

  for (const [list, c] of lists) {
    for (const index of [...c.removals].sort((a, b) => b - a)) list.splice(index, 1);
    for (const { value } of c.appends.sort((a, b) => a.index - b.index)) list.push(value);
  }

  return {
    item: work,
    touched: updatedTopLevelNames(ast),
    paths: ast.actions.map((a) => a.path),
    // A REMOVE of a list element shifts the next one into its place: UPDATED_NEW shows that
    // position as it is after the update, as DynamoDB does.
    newPaths: ast.actions.filter((a) => a.kind !== 'remove' || typeof a.path[a.path.length - 1] === 'number').map((a) => a.path),
  };
}

/** The top-level attributes an update writes or removes, each once, in order. */
export function updatedTopLevelNames(ast: UpdateAst): string[] {
  const names: string[] = [];
  for (const a of ast.actions) {
    const head = a.path[0];
    if (typeof head === 'string' && !names.includes(head)) names.push(head);
  }
  return names;
}

/** Where a path's last step lands, found before anything changes; undefined if its parent is not there. */
function locate(root: Item, path: Path): Target | undefined {
  const last = path[path.length - 1];
  if (path.length === 1) return typeof last === 'string' ? { map: root, key: last } : undefined;
  let parent = getPath(root, [path[0]!]);
  for (let i = 1; i < path.length - 1 && parent; i++) parent = step(parent, path[i]!);
  if (!parent) return undefined;
  if (typeof last === 'string') return 'M' in parent ? { map: parent.M, key: last } : undefined;
  return 'L' in parent ? { list: parent.L, index: last! } : undefined;
}

function read(t: Target): AttributeValue | undefined {
  if ('map' in t) return Object.hasOwn(t.map, t.key) ? t.map[t.key] : undefined;
  return t.index < t.list.length ? t.list[t.index] : undefined;
}

/** A SET value, from the item as it was. */
export function evaluateValue(v: UpdateValue, item: Item): AttributeValue {
  switch (v.kind) {
    case 'value':
      return v.value;
    case 'path': {
      const found = getPath(item, v.path);
      if (found === undefined) throw new ValidationException(MISSING_ATTRIBUTE);
      return found;
    }
    case 'if_not_exists':
      return getPath(item, v.path) ?? evaluateValue(v.fallback, item);
    case 'list_append': {
      const left = evaluateValue(v.left, item);
      const right = evaluateValue(v.right, item);
      if (!('L' in left) || !('L' in right)) throw new ValidationException(INCORRECT_OPERAND);
      return { L: [...left.L, ...right.L] };
    }
    case 'plus':
    case 'minus': {
      const left = evaluateValue(v.left, item);
      const right = evaluateValue(v.right, item);
      if (!('N' in left) || !('N' in right)) throw new ValidationException(INCORRECT_OPERAND);
      return { N: v.kind === 'plus' ? addNumbers(left.N, right.N) : subtractNumbers(left.N, right.N) };
    }
  }
}

type SetType = 'SS' | 'NS' | 'BS';

/** How set elements compare: strings as they are, numbers by value, binaries by bytes. */
function elementKey(type: SetType, e: string): string {
  if (type === 'NS') return normalizeNumber(e);
  if (type === 'BS') return Buffer.from(e, 'base64').toString('base64');
  return e;
}

function setOf(v: AttributeValue): SetType | undefined {
  return 'SS' in v ? 'SS' : 'NS' in v ? 'NS' : 'BS' in v ? 'BS' : undefined;
}

function elements(v: AttributeValue, type: SetType): string[] {
  return (v as Record<SetType, string[]>)[type];
}

/** ADD: a number adds to a number (from 0 when absent), a set merges into a set of its type. */
function added(existing: AttributeValue | undefined, value: AttributeValue, mismatch: string): AttributeValue {
  if ('N' in value) {
    if (existing === undefined) return { N: value.N };
    if (!('N' in existing)) throw new ValidationException(mismatch);
    return { N: addNumbers(existing.N, value.N) };
  }
  const type = setOf(value);
  if (type) {
    if (existing === undefined) return cloneValue(value);
    if (setOf(existing) !== type) throw new ValidationException(mismatch);
    const have = elements(existing, type);
    const keys = new Set(have.map((e) => elementKey(type, e)));
    const merged = [...have];
    for (const e of elements(value, type)) {
      const k = elementKey(type, e);
      if (!keys.has(k)) (keys.add(k), merged.push(e));
    }
    return { [type]: merged } as AttributeValue;
  }
  // Lists: only the legacy AttributeUpdates ADD appends to a list.
  if ('L' in value) {
    if (existing === undefined) return cloneValue(value);
    if (!('L' in existing)) throw new ValidationException(mismatch);
    return { L: [...existing.L, ...value.L.map(cloneValue)] };
  }
  throw new ValidationException(mismatch);
}

/** DELETE: the set without the given elements; undefined when nothing is left. */
function removedFrom(existing: AttributeValue, value: AttributeValue, mismatch: string): AttributeValue | undefined {
  const type = setOf(value);
  if (!type || setOf(existing) !== type) throw new ValidationException(mismatch);
  const gone = new Set(elements(value, type).map((e) => elementKey(type, e)));
  const rest = elements(existing, type).filter((e) => !gone.has(elementKey(type, e)));
  return rest.length ? ({ [type]: rest } as AttributeValue) : undefined;
}
