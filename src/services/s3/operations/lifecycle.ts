/**
 * PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration, DeleteBucketLifecycle.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html. A configuration
 * is checked whole and refused with S3's errors; the sweeper in engine/lifecycle.ts applies it.
 */
import { randomIds } from '../../../lib/ids.js';
import { boolean, inHeader, inPayload, inUri, integer, list, string, structure, type Shape } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import { DAY_MS, type Lifecycle, type LifecycleFilter, type LifecycleRule, type LifecycleTag } from '../engine/lifecycle.js';
import { InvalidArgument, InvalidRequest, MalformedXML } from '../errors.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { allHeaders, rawBody } from './object-extras.js';

const MAX_RULES = 1000;
const MAX_ID = 255;
const MIN_SIZE_HEADER = 'x-amz-transition-default-minimum-object-size';
const MIN_SIZE_VALUES = ['all_storage_classes_128K', 'varies_by_storage_class'];

/** The Rule shape; requests read numbers and booleans as text, checked here, answers write them typed. */
function rulesShape(num: Shape, bool: Shape) {
  const tag = structure({ Key: string(), Value: string() });
  const sizes = { ObjectSizeGreaterThan: num, ObjectSizeLessThan: num };
  const and = structure({ Prefix: string(), Tags: list(tag, { flattened: true, memberName: 'Tag' }), ...sizes });
  const rule = structure({
    ID: string(),
    Prefix: string(),
    Filter: structure({ Prefix: string(), Tag: tag, ...sizes, And: and }),
    Status: string(),
    Expiration: structure({ Date: string(), Days: num, ExpiredObjectDeleteMarker: bool }),
    Transitions: list(structure({ Date: string(), Days: num, StorageClass: string() }), { flattened: true, memberName: 'Transition' }),
    NoncurrentVersionTransitions: list(structure({ NoncurrentDays: num, NewerNoncurrentVersions: num, StorageClass: string() }), {
      flattened: true,
      memberName: 'NoncurrentVersionTransition',
    }),
    NoncurrentVersionExpiration: structure({ NoncurrentDays: num, NewerNoncurrentVersions: num }),
    AbortIncompleteMultipartUpload: structure({ DaysAfterInitiation: num }),
  });
  return list(rule, { flattened: true, memberName: 'Rule' });
}

const minSizeHeader = inHeader(string(), MIN_SIZE_HEADER);

// ---- checking a request's configuration ------------------------------------------------------

type Raw = Record<string, any>;
const malformed = () => MalformedXML();

function int(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\s*-?\d+\s*$/.test(v)) throw malformed();
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw malformed();
  return n;
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  const t = String(v).trim();
  if (t !== 'true' && t !== 'false') throw malformed();
  return t === 'true';
}

const positive = (n: number | undefined, what: string, action: string): number | undefined => {
  if (n !== undefined && n <= 0) throw InvalidArgument(`'${what}' for ${action} action must be a positive integer`);
  return n;
};

function midnight(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(String(v).trim());
  if (Number.isNaN(ms)) throw malformed();
  if (ms % DAY_MS !== 0) throw InvalidArgument("'Date' must be at midnight GMT");
  return new Date(ms).toISOString();
}

function tag(t: Raw | undefined): LifecycleTag {
  if (t?.Key === undefined || t.Value === undefined) throw malformed();
  return { Key: t.Key as string, Value: t.Value as string };
}

function sizes(f: Raw): { ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number } {
  const gt = int(f.ObjectSizeGreaterThan);
  const lt = int(f.ObjectSizeLessThan);
  if ((gt !== undefined && gt < 0) || (lt !== undefined && lt < 0)) throw InvalidArgument('ObjectSizeGreaterThan and ObjectSizeLessThan must be non-negative');
  if (gt !== undefined && lt !== undefined && gt >= lt) throw InvalidArgument('ObjectSizeLessThan must be greater than ObjectSizeGreaterThan');
  return { ...(gt !== undefined ? { ObjectSizeGreaterThan: gt } : {}), ...(lt !== undefined ? { ObjectSizeLessThan: lt } : {}) };
}

/** A Filter has at most one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, And. */
function filter(f: Raw): { filter: LifecycleFilter; tags: number } {
  const given = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'].filter((k) => f[k] !== undefined);
  if (given.length > 1) throw malformed();
  if (f.And !== undefined) {
    const a = f.And as Raw;
    const tags = ((a.Tags ?? []) as Raw[]).map(tag);
    if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw InvalidRequest('Duplicate Tag Keys are not allowed.');
    const and = { ...(a.Prefix !== undefined ? { Prefix: a.Prefix as string } : {}), ...(tags.length ? { Tags: tags } : {}), ...sizes(a) };
    return { filter: { And: and }, tags: tags.length };
  }
  if (f.Tag !== undefined) return { filter: { Tag: tag(f.Tag as Raw) }, tags: 1 };
  return { filter: { ...(f.Prefix !== undefined ? { Prefix: f.Prefix as string } : {}), ...sizes(f) }, tags: 0 };
}

function rule(r: Raw): LifecycleRule {
  if (r.Status !== 'Enabled' && r.Status !== 'Disabled') throw malformed();
  const id = r.ID === undefined || r.ID === '' ? randomIds.token(36) : (r.ID as string);
  if (id.length > MAX_ID) throw InvalidArgument(`ID length should not exceed allowed limit of ${MAX_ID}`, 'ID', id);
  // The legacy top-level Prefix, or a Filter: one of them.
  if ((r.Prefix === undefined) === (r.Filter === undefined)) throw malformed();
  const out: LifecycleRule = { ID: id, Status: r.Status };
  let tags = 0;
  if (r.Prefix !== undefined) out.Prefix = r.Prefix as string;
  else ({ filter: out.Filter, tags } = filter(r.Filter as Raw));

  if (r.Expiration !== undefined) {
    const e = r.Expiration as Raw;
    const days = positive(int(e.Days), 'Days', 'Expiration');
    const date = midnight(e.Date);
    const marker = bool(e.ExpiredObjectDeleteMarker);
    // Exactly one of Days, Date and ExpiredObjectDeleteMarker.
    if ([days, date, marker].filter((v) => v !== undefined).length !== 1) throw malformed();
    if (marker && tags) throw InvalidRequest('ExpiredObjectDeleteMarker cannot be specified with Tags.');
    out.Expiration = days !== undefined ? { Days: days } : date !== undefined ? { Date: date } : { ExpiredObjectDeleteMarker: marker! };
  }
  if (r.NoncurrentVersionExpiration !== undefined) {
    const n = r.NoncurrentVersionExpiration as Raw;
    const days = positive(int(n.NoncurrentDays), 'NoncurrentDays', 'NoncurrentVersionExpiration');
    if (days === undefined) throw malformed();
    const newer = positive(int(n.NewerNoncurrentVersions), 'NewerNoncurrentVersions', 'NoncurrentVersionExpiration');
    out.NoncurrentVersionExpiration = { NoncurrentDays: days, ...(newer !== undefined ? { NewerNoncurrentVersions: newer } : {}) };
  }
  if (r.AbortIncompleteMultipartUpload !== undefined) {
    const days = positive(int((r.AbortIncompleteMultipartUpload as Raw).DaysAfterInitiation), 'DaysAfterInitiation', 'AbortIncompleteMultipartUpload');
    if (days === undefined) throw malformed();
    if (tags) throw InvalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    out.AbortIncompleteMultipartUpload = { DaysAfterInitiation: days };
  }
  // Transitions are accepted and kept, never applied: there are no storage classes here.
  const transitions = (r.Transitions ?? []) as Raw[];
  if (transitions.length) {
    out.Transitions = transitions.map((t) => {
      if (t.StorageClass === undefined) throw malformed();
      const days = int(t.Days);
      const date = midnight(t.Date);
      if ((days === undefined) === (date === undefined)) throw malformed();
      if (days !== undefined && days < 0) throw InvalidArgument("'Days' in Transition action must be nonnegative");
      return { ...(days !== undefined ? { Days: days } : { Date: date }), StorageClass: t.StorageClass as string };
    });
  }
  const ncTransitions = (r.NoncurrentVersionTransitions ?? []) as Raw[];
  if (ncTransitions.length) {
    out.NoncurrentVersionTransitions = ncTransitions.map((t) => {
      const days = int(t.NoncurrentDays);
      if (t.StorageClass === undefined || days === undefined) throw malformed();
      const newer = positive(int(t.NewerNoncurrentVersions), 'NewerNoncurrentVersions', 'NoncurrentVersionTransition');
      return { NoncurrentDays: days, ...(newer !== undefined ? { NewerNoncurrentVersions: newer } : {}), StorageClass: t.StorageClass as string };
    });
  }
  if (!out.Expiration && !out.NoncurrentVersionExpiration && !out.AbortIncompleteMultipartUpload && !out.Transitions && !out.NoncurrentVersionTransitions) {
    throw InvalidRequest('At least one action needs to be specified in a rule');
  }
  return out;
}

export function checkRules(rules: Raw[] | undefined): LifecycleRule[] {
  if (!rules?.length) throw malformed();
  if (rules.length > MAX_RULES) throw InvalidArgument(`Rules number should not exceed allowed limit of ${MAX_RULES}`);
  const out = rules.map(rule);
  const ids = new Set<string>();
  for (const r of out) {
    if (ids.has(r.ID)) throw InvalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', r.ID);
    ids.add(r.ID);
  }
  return out;
}

// ---- operations ------------------------------------------------------------------------------

export function lifecycleOperations(deps: { buckets: Buckets; lifecycle: Lifecycle }): Record<string, Operation> {
  const { buckets, lifecycle } = deps;
  return {
    PutBucketLifecycleConfiguration: {
      http: { method: 'PUT', uri: '/{Bucket}?lifecycle' },
      input: structure({
        Bucket: inUri('Bucket'),
        LifecycleConfiguration: inPayload(structure({ Rules: rulesShape(string(), string()) }), 'LifecycleConfiguration'),
        TransitionDefaultMinimumObjectSize: minSizeHeader,
        Body: rawBody,
        AllHeaders: allHeaders,
      }),
      output: structure({ TransitionDefaultMinimumObjectSize: minSizeHeader }),
      handler: async (
        input: { Bucket: string; LifecycleConfiguration?: { Rules?: Raw[] }; TransitionDefaultMinimumObjectSize?: string; Body: Buffer; AllHeaders?: Record<string, string> },
        ctx,
      ) => {
        buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const minSize = input.TransitionDefaultMinimumObjectSize ?? MIN_SIZE_VALUES[0]!;
        if (!MIN_SIZE_VALUES.includes(minSize)) throw InvalidArgument(`Invalid value for ${MIN_SIZE_HEADER}`, MIN_SIZE_HEADER, minSize);
        const rules = checkRules(input.LifecycleConfiguration?.Rules);
        await lifecycle.put(ctx, input.Bucket, { rules, transitionDefaultMinimumObjectSize: minSize });
        return { TransitionDefaultMinimumObjectSize: minSize };
      },
    },
    GetBucketLifecycleConfiguration: {
      http: { method: 'GET', uri: '/{Bucket}?lifecycle' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ Rules: rulesShape(integer(), boolean()), TransitionDefaultMinimumObjectSize: minSizeHeader }),
      outputRoot: 'LifecycleConfiguration',
      handler: async (input: { Bucket: string }, ctx) => {
        const config = await lifecycle.get(ctx, input.Bucket);
        return { Rules: config.rules, TransitionDefaultMinimumObjectSize: config.transitionDefaultMinimumObjectSize };
      },
    },
    DeleteBucketLifecycle: {
      http: { method: 'DELETE', uri: '/{Bucket}?lifecycle', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input: { Bucket: string }, ctx) => {
        await lifecycle.delete(ctx, input.Bucket);
      },
    },
  };
}
