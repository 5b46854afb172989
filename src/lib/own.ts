/**
 * Maps kept as plain objects (JSON documents: a function's versions, aliases, policy) keyed by
 * names callers choose. A name such as `toString` must not find what every object inherits,
 * and writing `__proto__` must store an entry, not replace the object's prototype.
 */

/** The entry the object itself holds under `key`. */
export function own<T>(entries: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(entries, key) ? entries[key] : undefined;
}

/** Stores an entry under `key` as the object's own (also for `__proto__`). */
export function setOwn<T>(entries: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is an accessor on Object.prototype: every other name (`constructor`,
  // `toString`) becomes an own entry by plain assignment, the fast path for item attributes.
  if (key !== '__proto__') entries[key] = value;
  else Object.defineProperty(entries, key, { value, writable: true, enumerable: true, configurable: true });
}
