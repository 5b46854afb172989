/**
 * Put/Get/DeleteBucketWebsite, and the website endpoint itself: requests to
 * `<bucket>.s3-website.localhost` are routed (by the website host routes in addressing.ts) to the internal
 * `/_website/<bucket>/<key>` paths these operations serve (`_` is not allowed in bucket names,
 * so they can never clash with a bucket's own).
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, list, string, structure, type ShapeType } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import type { Buckets, Caller } from '../engine/buckets.js';
import type { Objects } from '../engine/objects.js';
import { serveWebsite, type WebsiteConfig } from '../engine/website.js';
import { MalformedXML, NoSuchBucket, s3Error } from '../errors.js';
import type { Store } from '../../../store/store.js';
import type { S3WebsiteRepo } from '../repo-website.js';
import { PROTOCOLS } from './shapes.js';

const redirectShape = structure({
  HostName: string(),
  HttpRedirectCode: string(),
  Protocol: string({ enum: PROTOCOLS }),
  ReplaceKeyPrefixWith: string(),
  ReplaceKeyWith: string(),
});
const config = structure({
  ErrorDocument: structure({ Key: string() }),
  IndexDocument: structure({ Suffix: string() }),
  RedirectAllRequestsTo: structure({ HostName: string(), Protocol: string({ enum: PROTOCOLS }) }),
  RoutingRules: list(structure({ Condition: structure({ HttpErrorCodeReturnedEquals: string(), KeyPrefixEquals: string() }), Redirect: redirectShape }), {
    memberName: 'RoutingRule',
  }),
});

const NoSuchWebsiteConfiguration = (bucket: string) =>
  s3Error('NoSuchWebsiteConfiguration', 404, 'The specified bucket does not have a website configuration', { BucketName: bucket });

/**
 * The configuration to keep: one that redirects every request, or one with an index document;
 * members the model requires (ErrorDocument's Key, a rule's Redirect) present.
 */
function check(c: ShapeType<typeof config>): WebsiteConfig {
  if (c.RedirectAllRequestsTo) {
    const { HostName, Protocol } = c.RedirectAllRequestsTo;
    if (!HostName || c.IndexDocument || c.ErrorDocument || c.RoutingRules) throw MalformedXML();
    return { RedirectAllRequestsTo: { HostName, ...(Protocol !== undefined ? { Protocol } : {}) } };
  }
  const suffix = c.IndexDocument?.Suffix;
  if (!suffix) throw s3Error('InvalidArgument', 400, 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty');
  if (suffix.includes('/')) throw s3Error('InvalidArgument', 400, 'The IndexDocument Suffix is not well formed', { ArgumentName: 'IndexDocument', ArgumentValue: suffix });
  const errorKey = c.ErrorDocument?.Key;
  if (c.ErrorDocument && errorKey === undefined) throw MalformedXML();
  return {
    ...(errorKey !== undefined ? { ErrorDocument: { Key: errorKey } } : {}),
    IndexDocument: { Suffix: suffix },
    ...(c.RoutingRules
      ? {
          RoutingRules: c.RoutingRules.map(({ Condition, Redirect }) => {
            if (!Redirect) throw MalformedXML();
            return { ...(Condition ? { Condition } : {}), Redirect };
          }),
        }
      : {}),
  };
}

export function websiteOperations(buckets: Buckets, objects: Objects, repo: S3WebsiteRepo, store: Store): Record<string, Operation> {
  /** Stores (or, with undefined, removes) a bucket's configuration, durably. */
  const set = (caller: Caller, bucket: string, config: string | undefined) =>
    store.write(async (tx) => {
      await buckets.ownedIn(tx, caller, bucket);
      await repo.setConfig(tx, bucket, config);
    });
  const serve = (head: boolean) => async (input: { Bucket: string; Key?: string }, ctx: { headers?: Record<string, string | string[] | undefined> }) => {
    const text = buckets.find(input.Bucket) ? await repo.config(input.Bucket) : undefined;
    if (text === undefined) throw buckets.find(input.Bucket) ? NoSuchWebsiteConfiguration(input.Bucket) : new NoSuchBucket(input.Bucket);
    return serveWebsite(objects, JSON.parse(text) as WebsiteConfig, input.Bucket, input.Key ?? '', head, String(ctx.headers?.host ?? ''));
  };
  const websiteInput = structure({ Bucket: inUri('Bucket'), Key: inUri('Key') });
  const rootInput = structure({ Bucket: inUri('Bucket') });
  return {
    PutBucketWebsite: defineOperation({
      http: { method: 'PUT', uri: '/{Bucket}?website' },
      input: structure({ Bucket: inUri('Bucket'), WebsiteConfiguration: inPayload(config, 'WebsiteConfiguration') }),
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        if (!input.WebsiteConfiguration) throw MalformedXML();
        await set(ctx, input.Bucket, JSON.stringify(check(input.WebsiteConfiguration)));
      },
    }),
    GetBucketWebsite: defineOperation({
      http: { method: 'GET', uri: '/{Bucket}?website' },
      input: rootInput,
      output: config,
      outputRoot: 'WebsiteConfiguration',
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        const text = await repo.config(input.Bucket);
        if (text === undefined) throw NoSuchWebsiteConfiguration(input.Bucket);
        return JSON.parse(text) as WebsiteConfig;
      },
    }),
    DeleteBucketWebsite: defineOperation({
      http: { method: 'DELETE', uri: '/{Bucket}?website', code: 204 },
      input: rootInput,
      handler: async (input, ctx) => {
        buckets.owned(ctx, input.Bucket);
        await set(ctx, input.Bucket, undefined);
      },
    }),
    WebsiteGet: defineOperation({ http: { method: 'GET', uri: '/_website/{Bucket}/{Key+}' }, input: websiteInput, handler: serve(false) }),
    WebsiteHead: defineOperation({ http: { method: 'HEAD', uri: '/_website/{Bucket}/{Key+}' }, input: websiteInput, handler: serve(true) }),
    WebsiteGetRoot: defineOperation({ http: { method: 'GET', uri: '/_website/{Bucket}' }, input: rootInput, handler: serve(false) }),
    WebsiteHeadRoot: defineOperation({ http: { method: 'HEAD', uri: '/_website/{Bucket}' }, input: rootInput, handler: serve(true) }),
  };
}
