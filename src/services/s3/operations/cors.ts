/** Put/Get/DeleteBucketCors, and the OPTIONS preflight browsers send before cross-origin requests. */
import { RestAnswer } from '../../../protocols/rest.js';
import { inHeader, inPayload, inUri, integer, list, string, structure } from '../../../protocols/shapes.js';
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

function checkRules(rules: Partial<CorsRule>[] | undefined): CorsRule[] {
  if (!rules?.length || rules.length > 100) throw MalformedXML();
  return rules.map((r) => {
    if (!r.AllowedOrigins?.length || !r.AllowedMethods?.length) throw MalformedXML();
    for (const m of r.AllowedMethods) if (!CORS_METHODS.includes(m)) throw InvalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    for (const o of r.AllowedOrigins) if ((o.match(/\*/g) ?? []).length > 1) throw InvalidRequest(`AllowedOrigin "${o}" can not have more than one wildcard.`);
    return r as CorsRule;
  });
}

export function corsOperations(buckets: Buckets): Record<string, Operation> {
  const preflightOp = (uri: string): Operation => ({
    http: { method: 'OPTIONS', uri },
    input: structure({ Bucket: inUri('Bucket'), Origin: inHeader(string(), 'origin') }),
    handler: (input: { Bucket: string }, ctx) => {
      const b = buckets.find(input.Bucket);
      if (!b) throw new NoSuchBucket(input.Bucket);
      return new RestAnswer(200, preflight(b.cors, ctx.headers ?? {}));
    },
  });
  return {
    PutBucketCors: {
      http: { method: 'PUT', uri: '/{Bucket}?cors' },
      input: structure({ Bucket: inUri('Bucket'), CORSConfiguration: inPayload(config, 'CORSConfiguration') }),
      handler: async (input: { Bucket: string; CORSConfiguration?: { CORSRules?: Partial<CorsRule>[] } }, ctx) => {
        const rules = checkRules(input.CORSConfiguration?.CORSRules);
        await buckets.update(ctx, input.Bucket, (b) => ({ ...b, cors: rules }));
      },
    },
    GetBucketCors: {
      http: { method: 'GET', uri: '/{Bucket}?cors' },
      input: structure({ Bucket: inUri('Bucket') }),
      output: structure({ CORSRules: list(rule, { flattened: true, memberName: 'CORSRule' }) }),
      outputRoot: 'CORSConfiguration',
      handler: (input: { Bucket: string }, ctx) => {
        const b = buckets.owned(ctx, input.Bucket);
        if (!b.cors) throw NoSuchCORSConfiguration(b.name);
        return { CORSRules: b.cors };
      },
    },
    DeleteBucketCors: {
      http: { method: 'DELETE', uri: '/{Bucket}?cors', code: 204 },
      input: structure({ Bucket: inUri('Bucket') }),
      handler: async (input: { Bucket: string }, ctx) => {
        await buckets.update(ctx, input.Bucket, ({ cors: _gone, ...rest }) => rest);
      },
    },
    PreflightBucket: preflightOp('/{Bucket}'),
    PreflightObject: preflightOp('/{Bucket}/{Key+}'),
  };
}
