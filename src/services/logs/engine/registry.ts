/**
 * The registry of log groups and their streams: metadata cached in memory (read on every
 * request and on every append) and written through the store. Write fns change the rows
 * first and memory after; the plugin registers `load` with the store's caches, so a batch
 * rolled back as a whole (or a change made by another node) reloads memory from the store.
 */
import { formatArn, parseArn } from '../../../lib/arn.js';
import type { Clock } from '../../../lib/clock.js';
import type { Store, Tx } from '../../../store/store.js';
import { groupExists, groupNotFound, InvalidParameterException, streamExists, streamNotFound, TooManyTagsException } from '../errors.js';
import type { GroupRecord, LogsRepo, StreamRecord } from '../repo.js';

export interface LogGroup extends GroupRecord {
  /** `arn:aws:logs:<region>:<account>:log-group:<name>:*`, as DescribeLogGroups' `arn`. */
  arn: string;
  /** The ARN without the trailing `:*` (`logGroupArn`, and what tagging APIs take). */
  logGroupArn: string;
  streams: Map<string, LogStream>;
}

export interface LogStream extends StreamRecord {
  arn: string;
  group: LogGroup;
}

export interface Caller {
  accountId: string;
  region: string;
}

const MAX_TAGS = 50;
const key = (account: string, region: string, name: string) => `${account}\u0000${region}\u0000${name}`;

function groupOf(r: GroupRecord): LogGroup {
  const logGroupArn = formatArn({ service: 'logs', region: r.region, account: r.account, resource: `log-group:${r.name}` });
  return { ...r, arn: `${logGroupArn}:*`, logGroupArn, streams: new Map() };
}

function streamOf(r: StreamRecord, group: LogGroup): LogStream {
  return { ...r, arn: `${group.logGroupArn}:log-stream:${r.name}`, group };
}

export class Registry {
  private byName = new Map<string, LogGroup>();
  private byId = new Map<number, LogGroup>();

  constructor(
    private readonly repo: LogsRepo,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** (Re)builds memory from the store (registered with the store's caches as `logs.registry`). */
  async load(): Promise<void> {
    const [groups, streams] = [await this.repo.loadGroups(), await this.repo.loadStreams()];
    const byName = new Map<string, LogGroup>();
    const byId = new Map<number, LogGroup>();
    for (const r of groups) {
      const g = groupOf(r);
      byName.set(key(g.account, g.region, g.name), g);
      byId.set(g.id, g);
    }
    for (const r of streams) {
      const g = byId.get(r.groupId);
      if (g) g.streams.set(r.name, streamOf(r, g));
    }
    this.byName = byName;
    this.byId = byId;
  }

  private remember(g: LogGroup): void {
    this.byName.set(key(g.account, g.region, g.name), g);
    this.byId.set(g.id, g);
  }

  private forget(g: LogGroup): void {
    this.byName.delete(key(g.account, g.region, g.name));
    this.byId.delete(g.id);
  }

  find(account: string, region: string, name: string): LogGroup | undefined {
    return this.byName.get(key(account, region, name));
  }

  /** The caller's group of that name, or ResourceNotFoundException. */
  group(caller: Caller, name: string): LogGroup {
    const g = this.find(caller.accountId, caller.region, name);
    if (!g) throw groupNotFound();
    return g;
  }

  /**
   * The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN, with or
   * without its trailing `:*`); exactly one of them must be given.
   */
  resolve(caller: Caller, input: { logGroupName?: string; logGroupIdentifier?: string }): LogGroup {
    const { logGroupName: name, logGroupIdentifier: id } = input;
    if (name !== undefined && id !== undefined) throw new InvalidParameterException('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    if (name !== undefined) return this.group(caller, name);
    if (id === undefined) throw new InvalidParameterException('Either logGroupName or logGroupIdentifier must be specified.');
    if (!id.startsWith('arn:')) return this.group(caller, id);
    return this.ownByArn(caller, id);
  }

  /**
   * The caller's group a log-group ARN names: another account's group is not found, as if it
   * did not exist (no cross-account observability links exist here to let a caller in).
   */
  ownByArn(caller: Caller, arn: string): LogGroup {
    const g = this.byArn(arn);
    if (!g || g.account !== caller.accountId || g.region !== caller.region) throw groupNotFound();
    return g;
  }

  /** The group a log-group ARN names (with or without `:*`), if it exists. */
  private byArn(arn: string): LogGroup | undefined {
    const a = parseArn(arn);
    if (!a || a.service !== 'logs' || !a.resource.startsWith('log-group:')) return undefined;
    const name = a.resource.slice('log-group:'.length).replace(/:\*$/, '');
    return this.find(a.account, a.region, name);
  }

  stream(group: LogGroup, name: string): LogStream {
    const s = group.streams.get(name);
    if (!s) throw streamNotFound();
    return s;
  }

  /** The caller's groups, by name. */
  list(caller: Caller): LogGroup[] {
    const out: LogGroup[] = [];
    for (const g of this.byId.values()) if (g.account === caller.accountId && g.region === caller.region) out.push(g);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  all(): Iterable<LogGroup> {
    return this.byId.values();
  }

  storedBytes(g: LogGroup): number {
    let n = 0;
    for (const s of g.streams.values()) n += s.storedBytes;
    return n;
  }

  createGroup(caller: Caller, name: string, opts: { tags?: Record<string, string>; kmsKeyId?: string; logGroupClass?: string }): Promise<LogGroup> {
    return this.store.write((tx) => {
      if (this.find(caller.accountId, caller.region, name)) throw groupExists();
      return this.createGroupNow(tx, caller, name, opts);
    });
  }

  /** Inside a write: inserts the group (the caller checked it does not exist). */
  async createGroupNow(tx: Tx, caller: Caller, name: string, opts: { tags?: Record<string, string>; kmsKeyId?: string; logGroupClass?: string } = {}): Promise<LogGroup> {
    const record = {
      account: caller.accountId,
      region: caller.region,
      name,
      createdAt: this.clock.now(),
      retentionDays: null,
      tags: { ...opts.tags },
      kmsKeyId: opts.kmsKeyId ?? null,
      logGroupClass: opts.logGroupClass ?? 'STANDARD',
    };
    const g = groupOf({ id: await this.repo.insertGroup(tx, record), ...record });
    this.remember(g);
    return g;
  }

  async deleteGroup(g: LogGroup): Promise<void> {
    await this.store.write(async (tx) => {
      if (this.byId.get(g.id) !== g) throw groupNotFound();
      await this.repo.deleteGroup(tx, g.id);
      this.forget(g);
    });
  }

  createStream(g: LogGroup, name: string): Promise<LogStream> {
    return this.store.write((tx) => {
      if (this.byId.get(g.id) !== g) throw groupNotFound();
      if (g.streams.has(name)) throw streamExists();
      return this.createStreamNow(tx, g, name);
    });
  }

  /** Inside a write: inserts the stream (the caller checked it does not exist). */
  async createStreamNow(tx: Tx, g: LogGroup, name: string): Promise<LogStream> {
    const record = {
      groupId: g.id,
      name,
      createdAt: this.clock.now(),
      firstEventTimestamp: null,
      lastEventTimestamp: null,
      lastIngestionTime: null,
      storedBytes: 0,
      uploads: 0,
    };
    const s = streamOf({ id: await this.repo.insertStream(tx, record), ...record }, g);
    g.streams.set(name, s);
    return s;
  }

  async deleteStream(s: LogStream): Promise<void> {
    await this.store.write(async (tx) => {
      this.assertLive(s);
      await this.repo.deleteStream(tx, s.id);
      s.group.streams.delete(s.name);
    });
  }

  /** Throws unless the stream (and its group) still exist; for write fns running after lookup. */
  assertLive(s: LogStream): void {
    if (this.byId.get(s.group.id) !== s.group) throw groupNotFound();
    if (s.group.streams.get(s.name) !== s) throw streamNotFound();
  }

  setRetention(g: LogGroup, days: number | null): Promise<void> {
    return this.update(g, (r) => (r.retentionDays = days));
  }

  tag(g: LogGroup, tags: Record<string, string>): Promise<void> {
    return this.update(g, (r) => {
      const merged = { ...r.tags, ...tags };
      if (Object.keys(merged).length > MAX_TAGS) throw new TooManyTagsException('A resource can have no more than 50 tags.');
      r.tags = merged;
    });
  }

  untag(g: LogGroup, keys: string[]): Promise<void> {
    return this.update(g, (r) => {
      const tags = { ...r.tags };
      for (const k of keys) delete tags[k];
      r.tags = tags;
    });
  }

  /** Changes a copy of the group's record, writes it, then the cached group. */
  private update(g: LogGroup, change: (r: GroupRecord) => void): Promise<void> {
    return this.store.write(async (tx) => {
      if (this.byId.get(g.id) !== g) throw groupNotFound();
      const r: GroupRecord = { ...g, tags: { ...g.tags } };
      change(r);
      await this.repo.updateGroup(tx, r);
      g.retentionDays = r.retentionDays;
      g.tags = r.tags;
    });
  }

  /** The earliest timestamp still kept in the group at `now` (0 when events never expire). */
  cutoff(g: LogGroup, now: number): number {
    return g.retentionDays === null ? 0 : now - g.retentionDays * 86_400_000;
  }
}
