/**
 * The S3 plugin (REST-XML, path-style addressing): buckets and objects, bodies streamed to
 * the blob store. Sharing, versioning, multipart and the rest of the S3 issue build on it.
 */
import { AwsError } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import type { ServiceFactory, ServicePlugin } from '../service.js';
import { Buckets } from './engine/buckets.js';
import { Objects } from './engine/objects.js';
import { bucketOperations, S3_NS } from './operations/buckets.js';
import { objectOperations } from './operations/objects.js';
import { S3_MIGRATIONS, SqliteS3ObjectRepo, SqliteS3Repo } from './repo.sqlite.js';

function validationError(violations: Violation[]): AwsError {
  const v = violations[0]!;
  if (v.kind === 'missing') return new AwsError('InvalidRequest', `Missing required parameter: ${v.member}`, { status: 400 });
  return new AwsError('InvalidArgument', `Invalid value for ${v.member}: ${String(v.value)}`, { status: 400 });
}

export const createS3Service: ServiceFactory = (env) => {
  env.store.migrate('s3', S3_MIGRATIONS);
  const repo = new SqliteS3Repo(env.store.db);
  const objectRepo = new SqliteS3ObjectRepo(env.store.db);
  const buckets = new Buckets(repo, env.store, env.clock);
  const objects = new Objects(objectRepo, buckets, env.blobs, env.store, env.clock, env.log);
  void objects.sweep();
  const plugin: ServicePlugin = {
    name: 's3',
    signingName: 's3',
    restXml: { xmlNamespace: S3_NS },
    operations: { ...bucketOperations(buckets, (b) => objects.assertEmpty(b)), ...objectOperations(objects, buckets, objectRepo) },
    validationError,
  };
  return plugin;
};
