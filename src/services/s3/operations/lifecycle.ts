/**
 * PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration, DeleteBucketLifecycle.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html. A configuration
 * is checked whole and refused with S3's errors; the sweeper in engine/lifecycle.ts applies it.
 */
import { randomIds } from '../../../lib/ids.js';
import { defineOperation } from '../../../protocols/define-operation.js';
import { boolean, inHeader, inPayload, inUri, integer, list, string, structure, type Shape, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets } from '../engine/buckets.js';
import { DAY_MS, type Lifecycle, type LifecycleFilter, type LifecycleRule, type LifecycleTag } from '../engine/lifecycle.js';
import { InvalidArgument, InvalidRequest, MalformedXML } from '../errors.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import { allHeaders, EXPIRATION_STATUSES, rawBody, TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZES, TRANSITION_STORAGE_CLASSES } from './shapes.js';

const MAX_RULES = 1000;
const MAX_ID = 255;

/**
 * The Rule shape. Requests read numbers and booleans as text, checked here: a number that is
 * not one is MalformedXML, which the XML decoder does not say. Answers write them typed.
 */
function rulesShape<N extends Shape, B extends Shape>(num: N, bool: B) {
  const tag = structure({ Key: string(), Value: string() });
  const sizes = { ObjectSizeGreaterThan: num, ObjectSizeLessThan: num };
  const and = structure({ Prefix: string(), Tags: list(tag, { flattened: true, memberName: 'Tag' }), ...sizes });
  const storageClass = string({ enum: TRANSITION_STORAGE_CLASSES });
  const rule = structure({
    ID: string(),
    Prefix: string(),
    Filter: structure({ Prefix: string(), Tag: tag, ...sizes, And: and }),
    Status: string({ enum: EXPIRATION_STATUSES }),
    Expiration: structure({ Date: string(), Days: num, ExpiredObjectDeleteMarker: bool }),
    Transitions: list(structure({ Date: string(), Days: num, StorageClass: storageClass }), { flattened: true, memberName: 'Transition' }),
    NoncurrentVersionTransitions: list(structure({ NoncurrentDays: num, NewerNoncurrentVersions: num, StorageClass: storageClass }), {
      flattened: true,
      memberName: 'NoncurrentVersionTransition',
    }),
    NoncurrentVersionExpiration: structure({ NoncurrentDays: num, NewerNoncurrentVersions: num }),
    AbortIncompleteMultipartUpload: structure({ DaysAfterInitiation: num }),
  });
  return list(rule, { flattened: true, memberName: 'Rule' });
}

const requestRules = rulesShape(string(), string());
type RuleInput = ShapeType<typeof requestRules>[number];
type FilterInput = NonNullable<RuleInput['Filter']>;
type TagInput = { Key?: string; Value?: string };
type SizesInput = { ObjectSizeGreaterThan?: string; ObjectSizeLessThan?: string };

const minSizeHeader = inHeader(string({ enum: TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZES }), 'x-amz-transition-default-minimum-object-size');

// ---- checking a request's configuration ------------------------------------------------------

const malformed = () => MalformedXML();

function int(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(v)) throw malformed();
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw malformed();
  return n;
}

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t !== 'true' && t !== 'false') throw malformed();
  return t === 'true';
}

const positive = (n: number | undefined, what: string, action: string): number | undefined => {
  if (n !== undefined && n <= 0) throw InvalidArgument(`'${what}' for ${action} action must be a positive integer`);
  return n;
};

function midnight(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v.trim());
  if (Number.isNaN(ms)) throw malformed();
  if (ms % DAY_MS !== 0) throw InvalidArgument("'Date' must be at midnight GMT");
  return new Date(ms).toISOString();
}

function tag(t: TagInput | undefined): LifecycleTag {
  if (t?.Key === undefined || t.Value === undefined) throw malformed();
  return { Key: t.Key, Value: t.Value };
}

function sizes(f: SizesInput): { ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number } {
  const gt = int(f.ObjectSizeGreaterThan);
  const lt = int(f.ObjectSizeLessThan);
  if ((gt !== undefined && gt < 0) || (lt !== undefined && lt < 0)) throw InvalidArgument('ObjectSizeGreaterThan and ObjectSizeLessThan must be non-negative');
  if (gt !== undefined && lt !== undefined && gt >= lt) throw InvalidArgument('ObjectSizeLessThan must be greater than ObjectSizeGreaterThan');
  return { ...(gt !== undefined ? { ObjectSizeGreaterThan: gt } : {}), ...(lt !== undefined ? { ObjectSizeLessThan: lt } : {}) };
}

/** A Filter has at most one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, And. */
function filter(f: FilterInput): { filter: LifecycleFilter; tags: number } {
  const given = [f.Prefix, f.Tag, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan, f.And].filter((v) => v !== undefined);
  if (given.length > 1) throw malformed();
  if (f.And !== undefined) {
    const a = f.And;
    const tags = (a.Tags ?? []).map(tag);
    if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw InvalidRequest('Duplicate Tag Keys are not allowed.');
    const and = { ...(a.Prefix !== undefined ? { Prefix: a.Prefix } : {}), ...(tags.length ? { Tags: tags } : {}), ...sizes(a) };
    return { filter: { And: and }, tags: tags.length };
  }
  if (f.Tag !== undefined) return { filter: { Tag: tag(f.Tag) }, tags: 1 };
  return { filter: { ...(f.Prefix !== undefined ? { Prefix: f.Prefix } : {}), ...sizes(f) }, tags: 0 };
}

function rule(r: RuleInput): LifecycleRule {
  // A status other than the model's two is refused at decode time (MalformedXML), as is none here.
  if (r.Status === undefined) throw malformed();
  const id = r.ID === undefined || r.ID === '' ? randomIds.token(36) : r.ID;
  if (id.length > MAX_ID) throw InvalidArgument(`ID length should not exceed allowed limit of ${MAX_ID}`, 'ID', id);
  // The legacy top-level Prefix, or a Filter: one of them.
  if ((r.Prefix === undefined) === (r.Filter === undefined)) throw malformed();
  const out: LifecycleRule = { ID: id, Status: r.Status };
  let tags = 0;
  if (r.Prefix !== undefined) out.Prefix = r.Prefix;
  else if (r.Filter !== undefined) ({ filter: out.Filter, tags } = filter(r.Filter));

  if (r.Expiration !== undefined) {
    const e = r.Expiration;
    const days = positive(int(e.Days), 'Days', 'Expiration');
    const date = midnight(e.Date);
    const marker = bool(e.ExpiredObjectDeleteMarker);
    // Exactly one of Days, Date and ExpiredObjectDeleteMarker.
    if ([days, date, marker].filter((v) => v !== undefined).length !== 1) throw malformed();
    if (marker && tags) throw InvalidRequest('ExpiredObjectDeleteMarker cannot be specified with Tags.');
    out.Expiration = days !== undefined ? { Days: days } : date !== undefined ? { Date: date } : { ExpiredObjectDeleteMarker: marker };
  }
  if (r.NoncurrentVersionExpiration !== undefined) {
    const n = r.NoncurrentVersionExpiration;
    const days = positive(int(n.NoncurrentDays), 'NoncurrentDays', 'NoncurrentVersionExpiration');
    if (days === undefined) throw malformed();
    const newer = positive(int(n.NewerNoncurrentVersions), 'NewerNoncurrentVersions', 'NoncurrentVersionExpiration');
    out.NoncurrentVersionExpiration = { NoncurrentDays: days, ...(newer !== undefined ? { NewerNoncurrentVersions: newer } : {}) };
  }
  if (r.AbortIncompleteMultipartUpload !== undefined) {
    const days = positive(int(r.AbortIncompleteMultipartUpload.DaysAfterInitiation), 'DaysAfterInitiation', 'AbortIncompleteMultipartUpload');
    if (days === undefined) throw malformed();
    if (tags) throw InvalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    out.AbortIncompleteMultipartUpload = { DaysAfterInitiation: days };
  }
  // Transitions are accepted and kept, never applied: there are no storage classes here.
  const transitions = r.Transitions ?? [];
  if (transitions.length) {
    out.Transitions = transitions.map((t) => {
      if (t.StorageClass === undefined) throw malformed();
      const days = int(t.Days);
      const date = midnight(t.Date);
      if ((days === undefined) === (date === undefined)) throw malformed();
      if (days !== undefined && days < 0) throw InvalidArgument("'Days' in Transition action must be nonnegative");
      return { ...(days !== undefined ? { Days: days } : { Date: date }), StorageClass: t.StorageClass };
    });
  }
  const ncTransitions = r.NoncurrentVersionTransitions ?? [];
  if (ncTransitions.length) {
    out.NoncurrentVersionTransitions = ncTransitions.map((t) => {
      const days = int(t.NoncurrentDays);
      if (t.StorageClass === undefined || days === undefined) throw malformed();
      const newer = positive(int(t.NewerNoncurrentVersions), 'NewerNoncurrentVersions', 'NoncurrentVersionTransition');
      return { NoncurrentDays: days, ...(newer !== undefined ? { NewerNoncurrentVersions: newer } : {}), StorageClass: t.StorageClass };
    });
  }
  if (!out.Expiration && !out.NoncurrentVersionExpiration && !out.AbortIncompleteMultipartUpload && !out.Transitions && !out.NoncurrentVersionTransitions) {
    throw InvalidRequest('At least one action needs to be specified in a rule');
  }
  return out;
}

export function checkRules(rules: RuleInput[] | undefined): LifecycleRule[] {
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
    PutBucketLifecycleConfiguration: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?lifecycle' },
      input: structure({
        Bucket: inUri('Bucket'),
        LifecycleConfiguration: inPayload(structure({ Rules: requestRules }), 'LifecycleConfiguration'),
        TransitionDefaultMinimumObjectSize: minSizeHeader,
        Body: rawBody,
        AllHeaders: allHeaders,
      }),
      output: structure({ TransitionDefaultMinimumObjectSize: minSizeHeader }),
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const minSize = input.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K';
        const rules = checkRules(input.LifecycleConfiguration?.Rules);
        await lifecycle.put(ctx, input.Bucket, { rules, transitionDefaultMinimumObjectSize: minSize });
        return { TransitionDefaultMinimumObjectSize: minSize };
      },
    }),
    GetBucketLifecycleConfiguration: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?lifecycle' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ Rules: rulesShape(integer(), boolean()), TransitionDefaultMinimumObjectSize: minSizeHeader }),
      outputRoot: 'LifecycleConfiguration',
      handler: async (input, ctx) => {
        const config = await lifecycle.get(ctx, input.Bucket);
        return { Rules: config.rules, TransitionDefaultMinimumObjectSize: config.transitionDefaultMinimumObjectSize };
      },
    }),
    DeleteBucketLifecycle: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?lifecycle', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await lifecycle.delete(ctx, input.Bucket);
      },
    }),
  };
}
