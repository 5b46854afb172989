/**
 * Every CloudFront document in memory and in step with the store: the data plane finds a
 * distribution by id or domain name on every request without touching SQL, and each change
 * writes the whole document in one durable commit before the caller hears of it. Registered
 * with the store's caches as `cloudfront.documents`.
 *
 * Accounts are walls: the control plane looks documents up only through `own` and `list`, which
 * take the caller's account, so another account's id is answered exactly as a missing one. Only
 * the data plane (`byId`) finds a distribution by id alone, as its domain name does.
 */
import type { Store } from '../../../store/store.js';
import type { CloudFrontRepo, StoredDocument } from '../repo.js';

const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;

export class Documents {
  private docs = new Map<string, StoredDocument>();
  private readonly listeners: Array<(doc: StoredDocument, deleted: boolean) => void> = [];

  constructor(
    private readonly repo: CloudFrontRepo,
    private readonly store: Store,
  ) {}

  async reload(): Promise<void> {
    this.docs = new Map((await this.repo.allDocuments()).map((d) => [keyOf(d.kind, d.id), d]));
  }

  /** Called after every committed change (the data plane drops what it derived from the old document). */
  onChange(listener: (doc: StoredDocument, deleted: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** A document by kind and id, whatever its account: for the data plane. */
  byId<T extends StoredDocument>(kind: T['kind'], id: string): T | undefined {
    return this.docs.get(keyOf(kind, id)) as T | undefined;
  }

  /** The caller's document, or undefined (another account's is not told apart from a missing one). */
  own<T extends StoredDocument>(kind: T['kind'], id: string, accountId: string): T | undefined {
    const doc = this.docs.get(keyOf(kind, id));
    return doc && doc.accountId === accountId ? (doc as T) : undefined;
  }

  /** Documents of a kind that `keep` selects, in id order. */
  filter<T extends StoredDocument>(kind: T['kind'], keep: (doc: T) => boolean): T[] {
    const out: T[] = [];
    for (const d of this.docs.values()) if (d.kind === kind && keep(d as T)) out.push(d as T);
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The caller's documents of a kind, in id order. */
  list<T extends StoredDocument>(kind: T['kind'], accountId: string): T[] {
    return this.filter<T>(kind, (d) => d.accountId === accountId);
  }

  /** A new id from `make` that no document of `kind` has yet. */
  freshId(kind: string, make: () => string): string {
    let id = make();
    while (this.docs.has(keyOf(kind, id))) id = make();
    return id;
  }

  /**
   * Commits a new document. `check` runs inside the write (against concurrent creates: a
   * CallerReference or name taken meanwhile) and may answer an existing document instead.
   */
  async create<T extends StoredDocument>(doc: T, check?: () => T | undefined): Promise<{ doc: T; created: boolean }> {
    const key = keyOf(doc.kind, doc.id);
    const out = await this.store.write(async (tx) => {
      const existing = check?.();
      if (existing) return { doc: existing, created: false };
      await this.repo.putDocument(tx, doc);
      this.docs.set(key, doc);
      return { doc, created: true };
    });
    if (out.created) this.changed(doc, false);
    return out;
  }

  /**
   * Applies `change` to a copy of the caller's document and commits it; the map changes only
   * once the write succeeds. The document is looked up inside the write, so checks made in
   * `change` (IfMatch, in use) hold against concurrent requests; `missing` is thrown when it is
   * not the caller's (or is gone). Returning `doc: null` deletes it.
   */
  async update<T extends StoredDocument, R>(kind: T['kind'], id: string, accountId: string, missing: () => Error, change: (doc: T) => { doc: T | null; result: R }): Promise<R> {
    const key = keyOf(kind, id);
    let after: { doc: StoredDocument; deleted: boolean } | undefined;
    const result = await this.store.write(async (tx) => {
      const current = this.own<T>(kind, id, accountId);
      if (!current) throw missing();
      const { doc, result } = change(structuredClone(current));
      if (doc === null) {
        await this.repo.deleteDocument(tx, kind, id);
        this.docs.delete(key);
        after = { doc: current, deleted: true };
      } else {
        await this.repo.putDocument(tx, doc);
        this.docs.set(key, doc);
        after = { doc, deleted: false };
      }
      return result;
    });
    if (after) this.changed(after.doc, after.deleted);
    return result;
  }

  private changed(doc: StoredDocument, deleted: boolean): void {
    for (const l of this.listeners) l(doc, deleted);
  }
}
