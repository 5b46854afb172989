/**
 * Every API Gateway document (APIs of both kinds, API keys, usage plans, ...) in memory and in
 * step with the store: the data plane finds an API by id on every request without touching
 * SQL, and each change writes the whole document in one durable commit before the caller hears
 * of it. Registered with the store's caches as `apigateway.documents`.
 *
 * Accounts are walls: the control plane looks documents up only through `own` and `list`,
 * which take the caller's account and region, so another account's id is answered exactly as a
 * missing one. Only the data plane (`byId`) finds an API by id alone, as an invoke URL does.
 */
import type { Store } from '../../../store/store.js';
import type { ApiGatewayRepo, StoredDocument } from '../repo.js';

/** The caller's walls: a document is visible only to its own account in its own region. */
export interface Owner {
  accountId: string;
  region: string;
}

const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;

export class Documents {
  private docs = new Map<string, StoredDocument>();

  constructor(
    private readonly repo: ApiGatewayRepo,
    private readonly store: Store,
  ) {}

  async reload(): Promise<void> {
    this.docs = new Map((await this.repo.allDocuments()).map((d) => [keyOf(d.kind, d.id), d]));
  }

  /** A document by kind and id, whatever its account: for the data plane (invoke URLs name APIs by id). */
  byId<T extends StoredDocument>(kind: T['kind'], id: string): T | undefined {
    return this.docs.get(keyOf(kind, id)) as T | undefined;
  }

  /** The caller's document, or undefined (another account's is not told apart from a missing one). */
  own<T extends StoredDocument>(kind: T['kind'], id: string, owner: Owner): T | undefined {
    const doc = this.docs.get(keyOf(kind, id));
    return doc && doc.accountId === owner.accountId && doc.region === owner.region ? (doc as T) : undefined;
  }

  /** The caller's documents of a kind, in id order. */
  list<T extends StoredDocument>(kind: T['kind'], owner: Owner): T[] {
    const out: T[] = [];
    for (const d of this.docs.values()) if (d.kind === kind && d.accountId === owner.accountId && d.region === owner.region) out.push(d as T);
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Whether any document of any kind has this id (ids of APIs are unique across v1 and v2). */
  idTaken(id: string): boolean {
    for (const d of this.docs.values()) if (d.id === id) return true;
    return false;
  }

  /** A new id from `make` that no document has yet (APIs, keys and plans share one id space). */
  freshId(make: () => string): string {
    let id = make();
    while (this.idTaken(id)) id = make();
    return id;
  }

  /** Commits a new document; `conflict` is thrown when the id is taken (checked inside the write). */
  async create<T extends StoredDocument>(doc: T, conflict: () => Error): Promise<T> {
    const key = keyOf(doc.kind, doc.id);
    return this.store.write(async (tx) => {
      if (this.docs.has(key)) throw conflict();
      await this.repo.putDocument(tx, doc);
      this.docs.set(key, doc);
      return doc;
    });
  }

  /**
   * Applies `change` to a copy of the caller's document and commits it; the map changes only
   * once the write succeeds. The document is looked up inside the write, so checks made in
   * `change` hold against concurrent requests; `missing` is thrown when it is not the caller's
   * (or is gone). Returning `doc: null` deletes it.
   */
  async update<T extends StoredDocument, R>(kind: T['kind'], id: string, owner: Owner, missing: () => Error, change: (doc: T) => { doc: T | null; result: R }): Promise<R> {
    const key = keyOf(kind, id);
    return this.store.write(async (tx) => {
      const current = this.own<T>(kind, id, owner);
      if (!current) throw missing();
      const { doc, result } = change(structuredClone(current));
      if (doc === null) {
        await this.repo.deleteDocument(tx, kind, id);
        this.docs.delete(key);
      } else {
        await this.repo.putDocument(tx, doc);
        this.docs.set(key, doc);
      }
      return result;
    });
  }
}
