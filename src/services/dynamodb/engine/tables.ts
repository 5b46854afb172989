/**
 * The table registry: every table's metadata, cached in memory. It registers with the store's
 * caches as `dynamodb.tables`, so it reloads when a commit fails (it never shows a table whose
 * creation rolled back) or when another node changed the tables.
 */
import type { Tx } from '../../../store/store.js';
import { AccessDeniedException, ResourceNotFoundException } from '../errors.js';
import type { DynamoRepo } from '../repo.js';
import type { TableMeta } from './table-meta.js';

export interface TableScope {
  accountId: string;
  region: string;
  /** The operation asking, for the wording of a refusal (`dynamodb:GetItem`). */
  operation?: string;
}

export const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

export class Tables {
  private byName = new Map<string, TableMeta>();
  private byId = new Map<number, TableMeta>();

  constructor(private readonly repo: DynamoRepo) {}

  /** Loads every table from the store (registered as a cache: at start and whenever told to). */
  async reload(): Promise<void> {
    const metas = await this.repo.loadTables();
    this.byName.clear();
    this.byId.clear();
    for (const meta of metas) this.remember(meta);
  }

  private remember(meta: TableMeta): void {
    this.byName.set(nameKey(meta.account, meta.region, meta.name), meta);
    this.byId.set(meta.id, meta);
  }

  /**
   * The caller's table by name or ARN (DynamoDB accepts either as TableName), if it exists.
   * An ARN of another account is refused whether or not the table exists: Nimbus has no
   * DynamoDB resource policies, so nothing grants another account access.
   */
  find(scope: TableScope, nameOrArn: string): TableMeta | undefined {
    // A table name has no `:`, so only a string starting `arn:` can be an ARN (no regex per request).
    const arn = nameOrArn.startsWith('arn:') ? TABLE_ARN.exec(nameOrArn) : null;
    if (!arn) return this.byName.get(nameKey(scope.accountId, scope.region, nameOrArn));
    if (arn[2] !== scope.accountId) throw crossAccountRefusal(scope, nameOrArn);
    return arn[1] === scope.region ? this.byName.get(nameKey(arn[2], arn[1]!, arn[3]!)) : undefined;
  }

  /** Item operations' wording for a missing table. */
  require(scope: TableScope, nameOrArn: string): TableMeta {
    const meta = this.find(scope, nameOrArn);
    if (!meta) throw new ResourceNotFoundException('Requested resource not found');
    return meta;
  }

  /** Table operations' wording (DescribeTable, DeleteTable, UpdateTable). */
  requireNamed(scope: TableScope, nameOrArn: string): TableMeta {
    const meta = this.find(scope, nameOrArn);
    if (!meta) throw new ResourceNotFoundException(`Requested resource not found: Table: ${nameOrArn} not found`);
    return meta;
  }

  /** The current metadata of a table, if it still exists (a write re-checks inside its transaction). */
  current(id: number): TableMeta | undefined {
    return this.byId.get(id);
  }

  /** Records new or changed metadata; call inside the store write that saves it. */
  async put(tx: Tx, meta: TableMeta): Promise<void> {
    await this.repo.saveTable(tx, meta);
    const old = this.byId.get(meta.id);
    if (old) this.byName.delete(nameKey(old.account, old.region, old.name));
    this.remember(meta);
  }

  async drop(tx: Tx, meta: TableMeta): Promise<void> {
    await this.repo.dropTable(tx, meta);
    this.byName.delete(nameKey(meta.account, meta.region, meta.name));
    this.byId.delete(meta.id);
  }

  /** Table names of an account in a region, in UTF-8 byte order as ListTables returns them. */
  names(scope: TableScope): string[] {
    const out: string[] = [];
    for (const meta of this.byId.values()) if (meta.account === scope.accountId && meta.region === scope.region) out.push(meta.name);
    return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  all(): Iterable<TableMeta> {
    return this.byId.values();
  }
}

function nameKey(account: string, region: string, name: string): string {
  return `${account}\u0000${region}\u0000${name}`;
}

/** DynamoDB's answer to a principal of another account that no resource policy lets in. */
export function crossAccountRefusal(scope: TableScope, arn: string) {
  const action = `dynamodb:${scope.operation ?? '*'}`;
  return new AccessDeniedException(
    `User: arn:aws:iam::${scope.accountId}:root is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`,
  );
}
