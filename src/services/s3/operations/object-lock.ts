/**
 * Object lock: Put/GetObjectLockConfiguration, Put/GetObjectRetention, Put/GetObjectLegalHold.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html and the
 * pages of the others; the rules themselves are in engine/object-lock.ts.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { boolean, inHeader, inPayload, inQuery, inUri, integer, string, structure } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { BucketSettings } from '../engine/bucket-settings.js';
import type { Buckets } from '../engine/buckets.js';
import { checkRequestChecksum } from '../engine/checksums.js';
import {
  changeRetention,
  InvalidBucketState,
  lockEnabled,
  MissingLockConfiguration,
  NoSuchObjectLockConfiguration,
  ObjectLockConfigurationNotFound,
  parseRule,
} from '../engine/object-lock.js';
import type { Objects } from '../engine/objects.js';
import { versionIdOf } from '../engine/versions.js';
import { MalformedXML } from '../errors.js';
import type { ObjectRecord } from '../repo.js';
import { requireBody } from './object-extras.js';
import { allHeaders, rawBody } from './shapes.js';

const lockConfiguration = structure({
  ObjectLockEnabled: string(),
  Rule: structure({ DefaultRetention: structure({ Mode: string(), Days: integer(), Years: integer() }) }),
});
const retention = structure({ Mode: string(), RetainUntilDate: string() });
const legalHold = structure({ Status: string() });
const objectTarget = { Bucket: inUri('Bucket'), Key: inUri('Key'), VersionId: inQuery(string(), 'versionId') };

/** The version id header of an answer about one version (a bucket with lock is always versioned). */
const versionHeader = (r: ObjectRecord) => ({ 'x-amz-version-id': versionIdOf(r) });

export function objectLockOperations(deps: { buckets: Buckets; settings: BucketSettings; objects: Objects }): Record<string, Operation> {
  const { buckets, settings, objects } = deps;
  /** The bucket must have object lock (checked after access: a stranger learns nothing). */
  const requireLock = (bucket: string) => {
    if (!lockEnabled(settings.get(bucket))) throw MissingLockConfiguration();
  };
  return {
    PutObjectLockConfiguration: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?object-lock' },
      input: structure({
        Bucket: inUri('Bucket'),
        ObjectLockConfiguration: inPayload(lockConfiguration, 'ObjectLockConfiguration'),
        Body: rawBody,
        AllHeaders: allHeaders,
      }),
      handler: async (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const doc = requireBody(input.ObjectLockConfiguration);
        if (doc.ObjectLockEnabled !== 'Enabled') throw MalformedXML();
        const rule = parseRule(doc.Rule);
        // Object lock can be turned on for an existing bucket whose versioning is enabled, never off.
        if (!lockEnabled(settings.get(b.name)) && b.versioning !== 'Enabled') {
          throw InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
        }
        await settings.update(ctx, b.name, (s) => ({ ...s, objectLock: { enabled: true, ...(rule ? { rule } : {}) } }));
      },
    }),
    GetObjectLockConfiguration: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?object-lock' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: lockConfiguration,
      outputRoot: 'ObjectLockConfiguration',
      handler: (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        const lock = settings.get(input.Bucket)?.objectLock;
        if (!lock?.enabled) throw ObjectLockConfigurationNotFound(input.Bucket);
        const r = lock.rule;
        return {
          ObjectLockEnabled: 'Enabled',
          ...(r ? { Rule: { DefaultRetention: { Mode: r.mode, ...(r.days !== undefined ? { Days: r.days } : { Years: r.years }) } } } : {}),
        };
      },
    }),
    PutObjectRetention: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?retention' },
      input: structure({
        ...objectTarget,
        Retention: inPayload(retention, 'Retention'),
        BypassGovernanceRetention: inHeader(boolean(), 'x-amz-bypass-governance-retention'),
        Body: rawBody,
        AllHeaders: allHeaders,
      }),
      handler: async (input, ctx) => {
        buckets.authorize(ctx, input.Bucket, { action: 's3:PutObjectRetention', key: input.Key });
        requireLock(input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const next = requireBody(input.Retention);
        const bypass = input.BypassGovernanceRetention === true && objects.mayBypass(ctx, input.Bucket, input.Key);
        const now = objects.clock.now();
        const r = await objects.update(
          ctx,
          input.Bucket,
          input.Key,
          (o) => ({ ...o, lock: changeRetention(o.lock, { mode: next.Mode, until: next.RetainUntilDate }, now, bypass) }),
          's3:PutObjectRetention',
          input.VersionId,
        );
        return new RestAnswer(200, versionHeader(r));
      },
    }),
    GetObjectRetention: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?retention' },
      input: structure(objectTarget),
      output: retention,
      outputRoot: 'Retention',
      handler: async (input, ctx) => {
        buckets.authorize(ctx, input.Bucket, { action: 's3:GetObjectRetention', key: input.Key });
        requireLock(input.Bucket);
        const o = await objects.get(ctx, input.Bucket, input.Key, 's3:GetObjectRetention', input.VersionId);
        if (!o.lock?.mode || o.lock.retainUntil === undefined) throw NoSuchObjectLockConfiguration();
        return { Mode: o.lock.mode, RetainUntilDate: new Date(o.lock.retainUntil).toISOString() };
      },
    }),
    PutObjectLegalHold: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}/{Key+}?legal-hold' },
      input: structure({ ...objectTarget, LegalHold: inPayload(legalHold, 'LegalHold'), Body: rawBody, AllHeaders: allHeaders }),
      handler: async (input, ctx) => {
        buckets.authorize(ctx, input.Bucket, { action: 's3:PutObjectLegalHold', key: input.Key });
        requireLock(input.Bucket);
        checkRequestChecksum(input.AllHeaders ?? {}, input.Body);
        const status = requireBody(input.LegalHold).Status;
        if (status !== 'ON' && status !== 'OFF') throw MalformedXML();
        const r = await objects.update(ctx, input.Bucket, input.Key, (o) => ({ ...o, lock: { ...o.lock, legalHold: status === 'ON' } }), 's3:PutObjectLegalHold', input.VersionId);
        return new RestAnswer(200, versionHeader(r));
      },
    }),
    GetObjectLegalHold: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}/{Key+}?legal-hold' },
      input: structure(objectTarget),
      output: legalHold,
      outputRoot: 'LegalHold',
      handler: async (input, ctx) => {
        buckets.authorize(ctx, input.Bucket, { action: 's3:GetObjectLegalHold', key: input.Key });
        requireLock(input.Bucket);
        const o = await objects.get(ctx, input.Bucket, input.Key, 's3:GetObjectLegalHold', input.VersionId);
        if (o.lock?.legalHold === undefined) throw NoSuchObjectLockConfiguration();
        return { Status: o.lock.legalHold ? 'ON' : 'OFF' };
      },
    }),
  };
}
