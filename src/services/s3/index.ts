/**
 * The S3 plugin (REST-XML, path-style and virtual-hosted-style addressing): buckets, objects
 * (bodies streamed to the blob store), bucket policies, canned ACLs and the public access
 * block, anonymous access, versioning. Multipart and the rest of the S3 issue build on it.
 */
import { Readable } from 'node:stream';
import { listKeys } from './engine/listing.js';
import { AwsError } from '../../protocols/errors.js';
import type { Store } from '../../store/store.js';
import type { ServiceFactory, ServicePlugin } from '../service.js';
import { Buckets, isValidBucketName } from './engine/buckets.js';
import { NotImplemented } from './errors.js';
import { Objects } from './engine/objects.js';
import { BodyCrypto } from './engine/crypto.js';
import { BucketSettings } from './engine/bucket-settings.js';
import { sqliteS3SettingsRepo } from './repo-settings.sqlite.js';
import { encryptionOperations } from './operations/encryption.js';
import { objectLockOperations } from './operations/object-lock.js';
import { corsHeaders, matchRule } from './engine/cors.js';
import { accessOperations, objectAclOperations } from './operations/access.js';
import { corsOperations } from './operations/cors.js';
import { Notifications } from './engine/notifications.js';
import { notificationOperations } from './operations/notifications.js';
import { sqliteS3NotificationRepo } from './repo-notifications.sqlite.js';
import { bucketOperations, S3_NS } from './operations/buckets.js';
import { objectOperations } from './operations/objects.js';
import { versioningOperations } from './operations/versioning.js';
import { objectExtraOperations } from './operations/object-extras.js';
import { bucketExtraOperations } from './operations/bucket-extras.js';
import { sqliteS3ExtrasRepo } from './repo-extras.sqlite.js';
import { Multipart } from './engine/multipart.js';
import { multipartOperations } from './operations/multipart.js';
import { sqliteS3MultipartRepo } from './repo-multipart.sqlite.js';
import { sqliteS3ObjectRepo, sqliteS3Repo } from './repo.sqlite.js';
import { Lifecycle } from './engine/lifecycle.js';
import { lifecycleOperations } from './operations/lifecycle.js';
import { postObjectOperations } from './operations/post-object.js';
import { websiteOperations } from './operations/website.js';
import { sqliteS3WebsiteRepo } from './repo-website.sqlite.js';
import { sqliteS3LifecycleRepo } from './repo-lifecycle.sqlite.js';
import { BucketLogging, logOperation } from './engine/logging.js';
import { loggingOperations } from './operations/logging.js';
import { sqliteS3LoggingRepo } from './repo-logging.sqlite.js';
import { bucketOf, isWebsite, pathBucket, S3_HOSTS } from './addressing.js';
import { s3ValidationError } from './operations/shapes.js';

/**
 * The query names S3 defines as subresources: each chooses an operation. `versionId` and
 * `partNumber` are left out: they parameterize GetObject, HeadObject, DeleteObject, ...
 */
const SUBRESOURCES = [
  'abac', 'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption',
  'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle', 'location', 'logging',
  'metadataConfiguration', 'metadataInventoryTable', 'metadataJournalTable', 'metadataTable',
  'metrics', 'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus',
  'publicAccessBlock', 'renameObject', 'replication', 'requestPayment', 'restore', 'retention',
  'select', 'session', 'tagging', 'torrent', 'uploadId', 'uploads', 'versioning', 'versions',
  'website',
] as const;

export const createS3Service: ServiceFactory = async (env) => {
  const store: Store = env.store;
  const repo = await store.repo({ sqlite: sqliteS3Repo });
  const objectRepo = await store.repo({ sqlite: sqliteS3ObjectRepo });
  const extrasRepo = await store.repo({ sqlite: sqliteS3ExtrasRepo });
  const multipartRepo = await store.repo({ sqlite: sqliteS3MultipartRepo });
  const lifecycleRepo = await store.repo({ sqlite: sqliteS3LifecycleRepo });
  const notificationRepo = await store.repo({ sqlite: sqliteS3NotificationRepo });
  const websiteRepo = await store.repo({ sqlite: sqliteS3WebsiteRepo });
  const buckets = new Buckets(repo, store, env.clock);
  // Every bucket, in memory (read on every request); reloaded after a rollback or another node's change.
  await store.caches.register('s3.buckets', () => buckets.reload());
  const settingsRepo = await store.repo({ sqlite: sqliteS3SettingsRepo });
  const settings = new BucketSettings(settingsRepo, buckets, store);
  await store.caches.register('s3.bucketSettings', () => settings.reload());
  // Every body is sealed at rest under a data key wrapped by this data directory's master key.
  const crypto = BodyCrypto.load(env.dataDir);
  const objects = new Objects(objectRepo, buckets, env.blobs, store, env.clock, env.log, crypto);
  const multipart = new Multipart({
    repo: multipartRepo,
    objectRepo,
    objects,
    buckets,
    blobs: env.blobs,
    store,
    clock: env.clock,
    ids: env.ids,
    log: env.log,
  });
  // Crash recovery before any request: finish or undo interrupted completions, then remove
  // bodies that no object and no upload refers to.
  await multipart.recover();
  await objects.sweep((id) => multipart.blobReferenced(id));
  const lifecycle = new Lifecycle({ repo: lifecycleRepo, buckets, objects, objectRepo, multipart, store, clock: env.clock, log: env.log });
  lifecycle.wake();
  await store.caches.register('s3.lifecycle', async () => lifecycle.reload());
  const logging = new BucketLogging({ repo: await store.repo({ sqlite: sqliteS3LoggingRepo }), buckets, objects, store, clock: env.clock, log: env.log, region: env.region });
  await store.caches.register('s3.logging', () => logging.reload());
  const notifications = new Notifications(notificationRepo, env.internal, store, env.clock, env.log, (bucket) => buckets.find(bucket)?.account);
  objects.onEvents(notifications);
  env.internal.register('s3.readObject', async ({ accountId, bucket, key, versionId }) => {
    let read;
    try {
      read = await objects.read({ accountId, region: env.region }, bucket, key, { head: false, conditions: {}, ...(versionId ? { versionId } : {}) });
    } catch (e) {
      if (e instanceof AwsError) return undefined;
      throw e;
    }
    if (Buffer.isBuffer(read.stream)) return read.stream;
    const chunks: Buffer[] = [];
    for await (const c of read.stream as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  });
  env.internal.register('s3.writeObject', async ({ accountId, bucket, key, body, contentType }) => {
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    const input = { bucket, key, body: Readable.from([body]), headers, metadata: {}, checksums: {}, contentLength: body.length };
    const record = await objects.put({ accountId, region: env.region }, input, undefined);
    return { etag: record.etag };
  });
  env.internal.register('s3.listKeys', async ({ accountId, bucket, prefix, max }) => {
    buckets.authorize({ accountId, region: env.region }, bucket, { action: 's3:ListBucket', conditionKeys: { 's3:prefix': prefix } });
    const listed = await listKeys(objectRepo, bucket, { prefix, maxKeys: max });
    return listed.contents.map((o) => o.key);
  });
  const plugin: ServicePlugin = {
    name: 's3',
    signingName: 's3',
    restXml: { xmlNamespace: S3_NS, subresources: SUBRESOURCES, notImplemented: () => new NotImplemented() },
    operations: {
      ...bucketOperations(buckets, { objects, multipart, tags: extrasRepo, notifications, website: websiteRepo }, settings),
      ...multipartOperations({ multipart, settings }),
      ...objectOperations(objects, buckets, objectRepo, settings, (o) => lifecycle.expiration(o)),
      ...encryptionOperations({ buckets, settings }),
      ...versioningOperations(buckets, objectRepo, settings),
      ...objectLockOperations({ buckets, settings, objects }),
      ...accessOperations(buckets),
      ...objectAclOperations(buckets, objects),
      ...corsOperations(buckets),
      ...notificationOperations(buckets, notifications),
      ...objectExtraOperations({ objects, buckets, blobs: env.blobs, clock: env.clock, settings }),
      ...bucketExtraOperations({ buckets, store, repo: extrasRepo }),
      ...lifecycleOperations({ buckets, lifecycle }),
      ...websiteOperations(buckets, objects, websiteRepo, store),
      ...loggingOperations(logging),
      ...postObjectOperations({ objects, buckets, blobs: env.blobs, clock: env.clock, credentials: env.credentials, settings }),
    },
    validationError: s3ValidationError,
    // Anonymous requests reach S3 for buckets that exist (their policy and ACL decide), and for
    // names that could be one, which S3 answers 404 NoSuchBucket. On the plain host, a POST
    // (query protocols) or a 12-digit first segment (an SQS queue URL) is left to the others.
    claimsUnsigned: (req, endpoint) => {
      const bucket = bucketOf(req.path, endpoint);
      if (bucket === undefined) return false;
      if (buckets.exists(bucket)) return true;
      if (!isValidBucketName(bucket)) return false;
      return endpoint !== undefined || (req.method !== 'POST' && !/^\d{12}$/.test(bucket));
    },
    // A request from an origin the bucket's CORS rules allow gets the CORS headers on its answer.
    responseHeaders: (req, endpoint) => {
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || req.method === 'OPTIONS') return undefined;
      const bucket = isWebsite(endpoint) ? pathBucket(req.path) : bucketOf(req.path, endpoint);
      const rule = bucket === undefined ? undefined : matchRule(buckets.find(bucket)?.cors, origin, req.method, []);
      return rule && corsHeaders(rule, origin);
    },
    // A request to a bucket with logging on becomes a line of its access log.
    answered: (a) => {
      if (isWebsite(a.endpoint)) return;
      const bucket = bucketOf(a.path, a.endpoint);
      if (bucket === undefined || !logging.logs(bucket)) return;
      const query = new URLSearchParams(a.query);
      const rest = a.endpoint ? a.path : a.path.split('/').slice(2).join('/');
      let key: string | undefined;
      try {
        key = a.endpoint ? decodeURIComponent(rest.replace(/^\//, '')) || undefined : decodeURIComponent(rest) || undefined;
      } catch {
        key = undefined;
      }
      const header = (h: Record<string, string | string[] | undefined>, n: string) => (typeof h[n] === 'string' ? (h[n] as string) : undefined);
      const auth = header(a.headers, 'authorization');
      const presigned = query.has('X-Amz-Signature') || query.has('Signature');
      const errorCode = a.status >= 400 && a.body !== undefined ? /<Code>([^<]*)<\/Code>/.exec(a.body.toString())?.[1] : undefined;
      const length = Number(a.responseHeaders['content-length'] ?? (a.body !== undefined ? Buffer.byteLength(a.body) : NaN));
      logging.record({
        bucket,
        time: env.clock.now(),
        ...(a.sourceIp !== undefined ? { remoteIp: a.sourceIp } : {}),
        ...(a.accountId !== undefined ? { requester: a.accountId } : {}),
        requestId: a.requestId,
        operation: logOperation(a.method, key, query, SUBRESOURCES),
        ...(key !== undefined ? { key } : {}),
        requestUri: a.query ? `${a.path}?${a.query}` : a.path,
        method: a.method,
        status: a.status,
        ...(errorCode ? { errorCode } : {}),
        ...(Number.isFinite(length) && length > 0 ? { bytesSent: length } : {}),
        ...(key !== undefined && a.method === 'PUT' && header(a.headers, 'content-length') ? { objectSize: Number(header(a.headers, 'content-length')) } : {}),
        totalMs: a.ms,
        ...(header(a.headers, 'referer') ? { referer: header(a.headers, 'referer') } : {}),
        ...(header(a.headers, 'user-agent') ? { userAgent: header(a.headers, 'user-agent') } : {}),
        ...(a.responseHeaders['x-amz-version-id'] ? { versionId: a.responseHeaders['x-amz-version-id'] } : {}),
        ...(auth || presigned ? { signatureVersion: auth?.startsWith('AWS ') || query.has('Signature') ? ('SigV2' as const) : ('SigV4' as const) } : {}),
        ...(auth ? { authType: 'AuthHeader' as const } : presigned ? { authType: 'QueryString' as const } : {}),
        ...(header(a.headers, 'host') ? { host: header(a.headers, 'host') } : {}),
      });
    },
    // Events committed before a restart but not yet delivered go out once every service is up
    // (a function target needs the functions service, which starts after S3).
    start: () => notifications.kick(),
    stop: async () => {
      await lifecycle.stop();
      await logging.stop();
    },
    hosts: S3_HOSTS,
  };
  return plugin;
};
