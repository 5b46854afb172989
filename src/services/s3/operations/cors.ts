/** Put/Get/DeleteBucketCors, and the OPTIONS preflight browsers send before cross-origin requests. */
import { defineOperation } from '../../../protocols/define-operation.js';
import { RestAnswer } from '../../../protocols/rest.js';
import { inHeader, inPayload, inUri, integer, list, string, structure, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { CORS_METHODS, preflight } from '../engine/cors.js';
import type { Buckets } from '../engine/buckets.js';
import { InvalidRequest, MalformedXML, NoSuchBucket, NoSuchCORSConfiguration } from '../errors.js';
import type { CorsRule } from '../repo.js';

const rule = structure({
  ID: string(),
  AllowedHeaders: list(string(), { flattened: true, memberName: 'AllowedHeader' }),
  AllowedMethods: list(string(), { flattened: true, memberName: 'AllowedMethod' }),
  AllowedOrigins: list(string(), { flattened: true, memberName: 'AllowedOrigin' }),
  ExposeHeaders: list(string(), { flattened: true, memberName: 'ExposeHeader' }),
  MaxAgeSeconds: integer(),
});
const config = structure({ CORSRules: list(rule, { flattened: true, memberName: 'CORSRule' }) });

/** A rule as the body gives it: every member may be absent, which checkRules refuses as S3 does. */
type RuleInput = ShapeType<typeof rule>;

function checkRules(rules: RuleInput[] | undefined): CorsRule[] {
  if (!rules?.length || rules.length > 100) throw MalformedXML();
  return rules.map(({ AllowedOrigins, AllowedMethods, ...rest }) => {
    if (!AllowedOrigins?.length || !AllowedMethods?.length) throw MalformedXML();
    for (const m of AllowedMethods) if (!CORS_METHODS.includes(m)) throw InvalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    for (const o of AllowedOrigins) if ((o.match(/\*/g) ?? []).length > 1) throw InvalidRequest(`AllowedOrigin "${o}" can not have more than one wildcard.`);
    return { ...rest, AllowedOrigins, AllowedMethods };
  });
}

export function corsOperations(buckets: Buckets): Record<string, Operation> {
  const preflightOp = (uri: string): Operation =>
    defineOperation({
      http: { method: 'OPTIONS', uri },
      input: structure({ Bucket: inUri('Bucket'), Origin: inHeader(string(), 'origin') }),
      handler: (input, ctx) => {
        const b = buckets.find(input.Bucket);
        if (!b) throw new NoSuchBucket(input.Bucket);
        return new RestAnswer(200, preflight(b.cors, ctx.headers ?? {}));
      },
    });
  return {
    PutBucketCors: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?cors' },
      input: structure({ Bucket: inUri('Bucket'), CORSConfiguration: inPayload(config, 'CORSConfiguration') }),
      handler: async (input, ctx) => {
        const rules = checkRules(input.CORSConfiguration?.CORSRules);
        await buckets.update(ctx, input.Bucket, (b) => ({ ...b, cors: rules }));
      },
    }),
    GetBucketCors: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?cors' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ CORSRules: list(rule, { flattened: true, memberName: 'CORSRule' }) }),
      outputRoot: 'CORSConfiguration',
      handler: (input, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (!b.cors) throw NoSuchCORSConfiguration(b.name);
        return { CORSRules: b.cors };
      },
    }),
    DeleteBucketCors: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?cors', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input, ctx) => {
        await buckets.update(ctx, input.Bucket, ({ cors: _gone, ...rest }) => rest);
      },
    }),
    PreflightBucket: preflightOp('/{Bucket}'),
    PreflightObject: preflightOp('/{Bucket}/{Key+}'),
  };
}
