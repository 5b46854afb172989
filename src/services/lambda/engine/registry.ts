/**
 * The functions of every account and region, in memory and in step with the store: reads
 * (every Invoke) never touch SQL, and each change writes the function's whole document in one
 * durable commit before the caller hears of it. The plugin registers `reload` with the store's
 * caches: a batch rolled back as a whole (or a change made by another node) reloads the map.
 */
import type { Store } from '../../../store/store.js';
import { functionNotFound, ResourceConflictException } from '../errors.js';
import { functionKey, type FunctionRecord } from '../model.js';
import type { LambdaRepo } from '../repo.js';
import { functionArn, type FunctionRef } from './names.js';

export class Registry {
  private fns = new Map<string, FunctionRecord>();

  constructor(
    private readonly repo: LambdaRepo,
    private readonly store: Store,
  ) {}

  /** (Re)loads every function from the store (registered with the store's caches as `lambda.functions`). */
  async reload(): Promise<void> {
    this.fns = new Map((await this.repo.allFunctions()).map((f) => [functionKey(f.accountId, f.region, f.name), f]));
  }

  find(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>): FunctionRecord | undefined {
    return this.fns.get(functionKey(ref.accountId, ref.region, ref.name));
  }

  /** The function, or Lambda's ResourceNotFoundException naming its ARN. */
  get(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>): FunctionRecord {
    const f = this.find(ref);
    if (!f) throw functionNotFound(functionArn(ref));
    return f;
  }

  list(accountId: string, region: string): FunctionRecord[] {
    return [...this.fns.values()].filter((f) => f.accountId === accountId && f.region === region).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  all(): IterableIterator<FunctionRecord> {
    return this.fns.values();
  }

  /** Commits a new function; ResourceConflictException when the name is taken (checked inside the write). */
  async create(doc: FunctionRecord): Promise<FunctionRecord> {
    const key = functionKey(doc.accountId, doc.region, doc.name);
    return this.store.write(async (tx) => {
      if (this.fns.has(key)) throw new ResourceConflictException(`Function already exist: ${doc.name}`);
      await this.repo.putFunction(tx, key, doc);
      this.fns.set(key, doc);
      return doc;
    });
  }

  /**
   * Applies `change` to a copy of the function's document and commits it; the map changes only
   * once the write succeeds. The function is looked up inside the write, so checks made in
   * `change` (revision ids, update states) hold against concurrent requests; a function deleted
   * meanwhile gives ResourceNotFoundException. Returning null deletes the function.
   */
  async update<T>(ref: Pick<FunctionRef, 'accountId' | 'region' | 'name'>, change: (f: FunctionRecord) => { doc: FunctionRecord | null; result: T }): Promise<T> {
    const key = functionKey(ref.accountId, ref.region, ref.name);
    return this.store.write(async (tx) => {
      const current = this.fns.get(key);
      if (!current) throw functionNotFound(functionArn(ref));
      const { doc, result } = change(structuredClone(current));
      if (doc === null) {
        await this.repo.deleteFunction(tx, key);
        this.fns.delete(key);
      } else {
        await this.repo.putFunction(tx, key, doc);
        this.fns.set(key, doc);
      }
      return result;
    });
  }
}
