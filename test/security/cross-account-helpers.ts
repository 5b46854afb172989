/**
 * The cross-account matrix (issue 13, item 1): accounts are walls. Every operation of every
 * service, called with a second account's keys against the first account's resources by every
 * identifier form, is refused as AWS refuses it, and nothing of the first account changes.
 *
 * Each service has one file, `test/security/cross-account-<service>.test.ts`, holding its rows
 * (a row: the operation, how the intruder calls it, AWS's refusal, and the owner's state that
 * must not change) and run by `runMatrix`. `COVERAGE` below says, for every service, which
 * operations have rows and which are exempt (with the reason); the completeness test
 * (cross-account-completeness.test.ts) walks every operation of a started Nimbus and fails
 * until each is in one or the other, so a new service must add its rows.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../helpers/nimbus.js';

export { ACCOUNT };
/** The owner's keys (account ACCOUNT) and the intruder's (account INTRUDER_ACCOUNT). */
export const OWNER = TEST_CREDENTIALS;
export const INTRUDER = { accessKeyId: 'intruder', secretAccessKey: 'intruder-secret' };
export const INTRUDER_ACCOUNT = '222222222222';

/** A Nimbus that knows both accounts' keys. */
export function startMatrixNimbus(opts: TestNimbusOptions = {}): Promise<TestNimbus> {
  return startTestNimbus({ ...opts, credentials: [{ ...OWNER, accountId: ACCOUNT }, { ...INTRUDER, accountId: INTRUDER_ACCOUNT }] });
}

/** AWS's refusal: the SDK error's name, a pattern for its message, and the HTTP status (for HEAD answers, which have no body to name them). */
export interface Refusal {
  name?: string;
  message?: RegExp;
  status?: number;
}

/** One row of the matrix: an operation called by the intruder on the owner's resource. */
export interface Row<F> {
  /** The operation as its service's plugin names it (`SendMessage`). */
  op: string;
  /** The plugin the operation belongs to, when not the spec's (DynamoDB Streams beside DynamoDB). */
  service?: string;
  /** How the resource is named (`by queue URL`, `by ARN`, `path-style`, ...). */
  form: string;
  /** The intruder's call. */
  call(f: F): Promise<unknown>;
  /** AWS's refusal; a function when it names the resource. */
  refusal?: Refusal | ((f: F) => Refusal);
  /**
   * Instead of a refusal, for calls AWS answers within the caller's own account (lists, a name
   * that is the caller's): the call succeeds and this asserts its answer shows nothing of the owner's.
   */
  shows?(answer: unknown, f: F): void;
  /**
   * Where Nimbus still answers otherwise than AWS (walled, but not in AWS's words, or in code
   * this branch may not change): the reason, naming where the fix belongs. The row runs as a todo.
   */
  todo?: string;
}

/** Escapes a string for use inside a RegExp. */
export const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Awaits p and asserts it was refused as `want` says. */
export async function refused(p: Promise<unknown>, want: Refusal, row: string): Promise<void> {
  let answer: unknown;
  try {
    answer = await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.ok(want.name !== undefined || want.status !== undefined, `${row}: a refusal names its error or its status`);
    if (want.name !== undefined) assert.equal(err.name, want.name, `${row}: refused with ${err.name}: ${err.message}`);
    if (want.status !== undefined) assert.equal(err.$metadata?.httpStatusCode, want.status, `${row}: refused with ${err.name}: ${err.message}`);
    if (want.message) assert.match(err.message, want.message, `${row}: ${err.message}`);
    return;
  }
  assert.fail(`${row}: allowed, answering ${JSON.stringify(answer, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))?.slice(0, 300)}`);
}

// ---- plain HTTP rows (function URLs, S3 virtual hosts, presigned URLs) ------------------------

export interface HttpCall {
  method: string;
  /** The path, already encoded. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** The Host header (a virtual host such as `bucket.s3.localhost:port`); the endpoint's own by default. */
  host?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to Nimbus over node:http (which, unlike fetch, sends the Host header given). */
export function rawRequest(endpoint: string, call: HttpCall): Promise<HttpAnswer> {
  const url = new URL(endpoint);
  const qs = new URLSearchParams(call.query ?? {}).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: url.hostname, port: url.port, method: call.method, path: `${call.path}${qs ? `?${qs}` : ''}`, headers: { host: call.host ?? url.host, ...call.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(call.body ?? '');
  });
}

const signer = (service: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials, uriEscapePath: service !== 's3' });

function toSign(endpoint: string, call: HttpCall): HttpRequest {
  const url = new URL(endpoint);
  const host = call.host ?? url.host;
  return new HttpRequest({
    method: call.method,
    protocol: 'http:',
    hostname: host.replace(/:\d+$/, ''),
    port: Number(url.port),
    path: call.path,
    query: call.query ?? {},
    headers: { host, 'x-amz-content-sha256': createHash('sha256').update(call.body ?? '').digest('hex'), ...call.headers },
    body: call.body,
  });
}

/** The request signed (SigV4 header) with these keys for this signing name. */
export async function signedRequest(endpoint: string, service: string, credentials: { accessKeyId: string; secretAccessKey: string }, call: HttpCall): Promise<HttpAnswer> {
  const signed = await signer(service, credentials).sign(toSign(endpoint, call));
  return rawRequest(endpoint, { ...call, headers: signed.headers as Record<string, string> });
}

/**
 * Turns an HTTP answer into a row's outcome: a status of 400 or more is a refusal named by the
 * body's S3 `<Code>` or JSON `Message`'s status (`HTTP 403`), with the body as its message.
 */
export function httpOutcome(a: HttpAnswer): HttpAnswer {
  if (a.status < 400) return a;
  const code = /<Code>([^<]+)<\/Code>/.exec(a.body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(a.body)?.[1] ?? a.body;
  throw Object.assign(new Error(message), { name: code ?? `HTTP ${a.status}` });
}

export interface MatrixSpec<F> {
  /** The service's plugin name, as `COVERAGE` keys it. */
  service: string;
  /** Starts Nimbus and creates the owner's resources; answers the fixture the rows use. */
  setup(): Promise<F>;
  teardown(f: F): Promise<void>;
  rows: Row<F>[];
  /** The owner's state as the owner reads it: equal before and after every row ran. */
  snapshot(f: F): Promise<unknown>;
  /** More tests on the same Nimbus, run after the snapshot check (the positive rows: what a resource policy grants). */
  more?(fixture: () => F): void;
}

/**
 * Runs a service's rows in one describe (one Nimbus): one test per row, then a test that the
 * owner's state is as it was, and a test that the rows and `COVERAGE` agree.
 */
export function runMatrix<F>(spec: MatrixSpec<F>): void {
  describe(`cross-account: ${spec.service}`, () => {
    let f: F;
    let before_: unknown;
    before(async () => {
      f = await spec.setup();
      before_ = await spec.snapshot(f);
    });
    after(async () => {
      if (f !== undefined) await spec.teardown(f);
    });
    for (const row of spec.rows) {
      const name = `${row.op} ${row.form}`;
      test(name, row.todo ? { todo: row.todo } : {}, async () => {
        if (row.shows) row.shows(await row.call(f), f);
        else {
          assert.ok(row.refusal, `${name}: a row needs a refusal or shows`);
          await refused(row.call(f), typeof row.refusal === 'function' ? row.refusal(f) : row.refusal, name);
        }
      });
    }
    test("nothing of the owner's changed", async () => {
      assert.deepEqual(await spec.snapshot(f), before_);
    });
    spec.more?.(() => f);
    test('the rows are the operations COVERAGE lists for this service', () => {
      const services = new Set(spec.rows.map((r) => r.service ?? spec.service));
      for (const s of services) assertRowsMatchCoverage(s, spec.rows.filter((r) => (r.service ?? spec.service) === s).map((r) => r.op));
    });
  });
}

export function assertRowsMatchCoverage(service: string, ops: string[]): void {
  const c = COVERAGE[service];
  assert.ok(c, `COVERAGE in test/security/cross-account-helpers.ts has no entry for ${service}`);
  const have = new Set(ops);
  const listed = new Set(c.rows);
  assert.deepEqual([...listed].filter((o) => !have.has(o)), [], `${service}: COVERAGE lists these as having rows, but ${c.file} has none for them`);
  assert.deepEqual([...have].filter((o) => !listed.has(o)), [], `${service}: ${c.file} has rows for these, but COVERAGE does not list them`);
}

export interface ServiceCoverage {
  /** The file holding the service's rows. */
  file: string;
  /** Operations with at least one row. */
  rows: string[];
  /** Operations without rows, each with why none is needed. */
  exempt: Record<string, string>;
}



/**
 * Every service's operations: those with rows, and those exempt with the reason. The
 * completeness test fails for an operation in neither; a row file's own check fails when its
 * rows and this list disagree.
 */
export const COVERAGE: Record<string, ServiceCoverage> = {
  sqs: {
    file: 'test/security/cross-account-sqs.test.ts',
    rows: [
      'GetQueueUrl', 'GetQueueAttributes', 'SetQueueAttributes', 'PurgeQueue', 'ListDeadLetterSourceQueues', 'SendMessage', 'SendMessageBatch',
      'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'TagQueue', 'UntagQueue',
      'ListQueueTags', 'AddPermission', 'RemovePermission', 'DeleteQueue', 'StartMessageMoveTask', 'ListMessageMoveTasks', 'CancelMessageMoveTask', 'CreateQueue', 'ListQueues',
    ],
    exempt: {},
  },
  dynamodb: {
    file: 'test/security/cross-account-dynamodb.test.ts',
    rows: [
      'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems',
      'DescribeTable', 'UpdateTable', 'DescribeTimeToLive', 'UpdateTimeToLive', 'DeleteTable', 'TagResource', 'UntagResource', 'ListTagsOfResource',
      'CreateTable', 'ListTables', 'ExecuteStatement', 'ExecuteTransaction', 'BatchExecuteStatement',
      'CreateBackup', 'DescribeBackup', 'ListBackups', 'DeleteBackup', 'RestoreTableFromBackup',
      'UpdateContinuousBackups', 'DescribeContinuousBackups', 'RestoreTableToPointInTime',
      'ExportTableToPointInTime', 'DescribeExport', 'ListExports', 'ImportTable', 'DescribeImport', 'ListImports',
    ],
    exempt: {
      DescribeEndpoints: 'answers the endpoint of the caller\'s own region: names no resource',
      DescribeLimits: 'answers the caller\'s own account quotas: names no resource',
    },
  },
  logs: {
    file: 'test/security/cross-account-logs.test.ts',
    rows: [
      'GetLogEvents', 'FilterLogEvents', 'DescribeLogStreams', 'TagResource', 'UntagResource', 'ListTagsForResource', 'DeleteLogGroup', 'PutRetentionPolicy',
      'DeleteRetentionPolicy', 'CreateLogStream', 'DeleteLogStream', 'PutLogEvents', 'TagLogGroup', 'UntagLogGroup', 'ListTagsLogGroup', 'DescribeLogGroups',
      'CreateLogGroup',
    ],
    exempt: {},
  },
  sns: {
    file: 'test/security/cross-account-sns.test.ts',
    rows: [
      'GetTopicAttributes', 'SetTopicAttributes', 'DeleteTopic', 'AddPermission', 'RemovePermission', 'GetDataProtectionPolicy', 'PutDataProtectionPolicy',
      'TagResource', 'UntagResource', 'ListTagsForResource', 'Subscribe', 'ListSubscriptionsByTopic', 'Publish', 'PublishBatch', 'ConfirmSubscription',
      'GetSubscriptionAttributes', 'SetSubscriptionAttributes', 'Unsubscribe', 'ListTopics', 'ListSubscriptions', 'CreateTopic',
    ],
    exempt: {},
  },
  lambda: {
    file: 'test/security/cross-account-lambda.test.ts',
    rows: [
      'GetFunction', 'GetFunctionConfiguration', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'DeleteFunction', 'PublishVersion', 'ListVersionsByFunction',
      'CreateAlias', 'GetAlias', 'UpdateAlias', 'DeleteAlias', 'ListAliases', 'Invoke', 'PutFunctionConcurrency', 'DeleteFunctionConcurrency',
      'GetFunctionConcurrency', 'PutFunctionEventInvokeConfig', 'UpdateFunctionEventInvokeConfig', 'GetFunctionEventInvokeConfig',
      'DeleteFunctionEventInvokeConfig', 'ListFunctionEventInvokeConfigs', 'AddPermission', 'RemovePermission', 'GetPolicy', 'CreateFunctionUrlConfig',
      'GetFunctionUrlConfig', 'UpdateFunctionUrlConfig', 'DeleteFunctionUrlConfig', 'ListFunctionUrlConfigs', 'CreateEventSourceMapping', 'TagResource',
      'UntagResource', 'ListTags', 'GetEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping', 'ListEventSourceMappings',
      'ListFunctions', 'CreateFunction',
    ],
    exempt: { GetAccountSettings: "answers the caller's own account limits and usage: names no resource" },
  },
  s3: {
    file: 'test/security/cross-account-s3.test.ts (calls in cross-account-s3-rows.ts)',
    rows: [
      'HeadBucket', 'GetBucketLocation', 'DeleteBucket', 'ListObjectsV2', 'ListObjects', 'ListObjectVersions', 'ListMultipartUploads', 'PutBucketVersioning',
      'GetBucketVersioning', 'PutBucketPolicy', 'GetBucketPolicy', 'DeleteBucketPolicy', 'GetBucketPolicyStatus', 'PutBucketAcl', 'GetBucketAcl',
      'PutBucketOwnershipControls', 'GetBucketOwnershipControls', 'DeleteBucketOwnershipControls',
      'PutPublicAccessBlock', 'GetPublicAccessBlock', 'DeletePublicAccessBlock', 'PutBucketCors', 'GetBucketCors', 'DeleteBucketCors',
      'PutBucketNotificationConfiguration', 'GetBucketNotificationConfiguration', 'PutBucketTagging', 'GetBucketTagging', 'DeleteBucketTagging',
      'PutBucketLifecycleConfiguration', 'GetBucketLifecycleConfiguration', 'DeleteBucketLifecycle', 'PutBucketWebsite', 'GetBucketWebsite',
      'DeleteBucketWebsite', 'PutObject', 'GetObject', 'HeadObject', 'DeleteObject', 'DeleteObjects', 'GetObjectAttributes', 'PutObjectAcl', 'GetObjectAcl',
      'PutObjectTagging', 'GetObjectTagging', 'DeleteObjectTagging', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'ListParts',
      'CompleteMultipartUpload', 'AbortMultipartUpload', 'PostObject', 'WebsiteGet', 'WebsiteHead', 'WebsiteGetRoot', 'WebsiteHeadRoot', 'CreateBucket',
      'ListBuckets', 'PutBucketEncryption', 'GetBucketEncryption', 'DeleteBucketEncryption',
      'PutObjectLockConfiguration', 'GetObjectLockConfiguration', 'PutObjectRetention', 'GetObjectRetention', 'PutObjectLegalHold', 'GetObjectLegalHold',
      'PutBucketLogging', 'GetBucketLogging',
    ],
    exempt: {
      PreflightBucket: 'a CORS preflight (OPTIONS) is unsigned by design, browsers send no credentials; it answers only what the owner\'s CORS rules publish and changes nothing',
      PreflightObject: 'a CORS preflight (OPTIONS) is unsigned by design, browsers send no credentials; it answers only what the owner\'s CORS rules publish and changes nothing',
    },
  },
  // Two plugins, as AWS has two APIs whose operation names overlap: apigateway (v1, REST APIs) and apigatewayv2 (v2, HTTP APIs).
  apigateway: {
    file: 'test/security/cross-account-apigateway.test.ts (calls in cross-account-apigateway-v1-rows.ts)',
    rows: [
      'CreateRestApi', 'GetRestApi', 'GetRestApis', 'UpdateRestApi', 'DeleteRestApi', 'CreateResource', 'GetResource', 'GetResources',
      'UpdateResource', 'DeleteResource', 'PutMethod', 'GetMethod', 'UpdateMethod', 'DeleteMethod', 'PutMethodResponse', 'GetMethodResponse',
      'UpdateMethodResponse', 'DeleteMethodResponse', 'PutIntegration', 'GetIntegration', 'UpdateIntegration', 'DeleteIntegration',
      'PutIntegrationResponse', 'GetIntegrationResponse', 'UpdateIntegrationResponse', 'DeleteIntegrationResponse', 'CreateDeployment',
      'GetDeployment', 'GetDeployments', 'UpdateDeployment', 'DeleteDeployment', 'CreateStage', 'GetStage', 'GetStages', 'UpdateStage',
      'FlushStageAuthorizersCache', 'FlushStageCache', 'DeleteStage', 'CreateAuthorizer', 'GetAuthorizer', 'GetAuthorizers', 'UpdateAuthorizer',
      'DeleteAuthorizer', 'PutGatewayResponse', 'GetGatewayResponse', 'GetGatewayResponses', 'UpdateGatewayResponse', 'DeleteGatewayResponse',
      'GetTags', 'TagResource', 'UntagResource', 'CreateApiKey', 'GetApiKey', 'GetApiKeys', 'UpdateApiKey', 'DeleteApiKey', 'CreateUsagePlan',
      'GetUsagePlan', 'GetUsagePlans', 'UpdateUsagePlan', 'DeleteUsagePlan', 'CreateUsagePlanKey', 'GetUsagePlanKey', 'GetUsagePlanKeys',
      'DeleteUsagePlanKey', 'UpdateUsage', 'GetUsage', 'PutRestApi', 'GetExport', 'CreateRequestValidator', 'GetRequestValidator',
      'GetRequestValidators', 'UpdateRequestValidator', 'DeleteRequestValidator', 'CreateModel', 'GetModel', 'GetModels', 'UpdateModel',
      'DeleteModel', 'GetModelTemplate',
    ],
    exempt: {
      ImportRestApi: "creates a new REST API in the caller's own account from an OpenAPI document: names no existing API Gateway resource (PutRestApi, which does, has rows)",
    },
  },
  apigatewayv2: {
    file: 'test/security/cross-account-apigateway.test.ts (calls in cross-account-apigateway-v2-rows.ts)',
    rows: [
      'GetApi', 'GetApis', 'UpdateApi', 'DeleteApi', 'DeleteCorsConfiguration', 'CreateRoute', 'GetRoute', 'GetRoutes', 'UpdateRoute', 'DeleteRoute',
      'CreateIntegration', 'GetIntegration', 'GetIntegrations', 'UpdateIntegration', 'DeleteIntegration', 'CreateStage', 'GetStage', 'GetStages',
      'UpdateStage', 'DeleteStage', 'ResetAuthorizersCache', 'CreateDeployment', 'GetDeployment', 'GetDeployments', 'DeleteDeployment',
      'CreateAuthorizer', 'GetAuthorizer', 'GetAuthorizers', 'UpdateAuthorizer', 'DeleteAuthorizer', 'TagResource', 'UntagResource', 'GetTags',
      'ReimportApi', 'ExportApi', 'CreateRouteResponse', 'GetRouteResponse', 'GetRouteResponses', 'UpdateRouteResponse', 'DeleteRouteResponse',
      'CreateIntegrationResponse', 'GetIntegrationResponse', 'GetIntegrationResponses', 'UpdateIntegrationResponse', 'DeleteIntegrationResponse',
      'CreateModel', 'GetModel', 'GetModels', 'UpdateModel', 'DeleteModel', 'GetModelTemplate',
    ],
    exempt: {
      // The @connections management API (PostToConnection, GetConnection, DeleteConnection) is no
      // plugin's operation (it answers on the execute-api hosts): its rows are in cross-account-apigateway-ws.test.ts.
      CreateApi: "creates a new HTTP API in the caller's own account from its name (quick create's Target is a Lambda ARN, walled by Lambda's permissions): names no API Gateway resource",
      ImportApi: "creates a new HTTP API in the caller's own account from an OpenAPI document: names no existing API Gateway resource (ReimportApi, which does, has rows)",
    },
  },
  dynamodbstreams: {
    file: 'test/security/cross-account-dynamodb.test.ts',
    rows: ['DescribeStream', 'GetShardIterator', 'GetRecords', 'ListStreams'],
    exempt: {},
  },
  cloudfront: {
    file: 'test/security/cross-account-cloudfront.test.ts',
    rows: [
      'GetDistribution', 'GetDistributionConfig', 'UpdateDistribution', 'DeleteDistribution', 'TagResource', 'UntagResource', 'ListTagsForResource',
      'ListDistributions', 'CreateDistribution', 'CreateDistributionWithTags',
      'GetCachePolicy', 'GetCachePolicyConfig', 'UpdateCachePolicy', 'DeleteCachePolicy', 'ListCachePolicies', 'CreateCachePolicy',
      'GetOriginRequestPolicy', 'GetOriginRequestPolicyConfig', 'UpdateOriginRequestPolicy', 'DeleteOriginRequestPolicy', 'ListOriginRequestPolicies', 'CreateOriginRequestPolicy',
      'GetResponseHeadersPolicy', 'GetResponseHeadersPolicyConfig', 'UpdateResponseHeadersPolicy', 'DeleteResponseHeadersPolicy', 'ListResponseHeadersPolicies',
      'CreateResponseHeadersPolicy',
      'GetOriginAccessControl', 'GetOriginAccessControlConfig', 'UpdateOriginAccessControl', 'DeleteOriginAccessControl', 'ListOriginAccessControls', 'CreateOriginAccessControl',
      'GetPublicKey', 'GetPublicKeyConfig', 'UpdatePublicKey', 'DeletePublicKey', 'ListPublicKeys', 'CreatePublicKey',
      'GetKeyGroup', 'GetKeyGroupConfig', 'UpdateKeyGroup', 'DeleteKeyGroup', 'ListKeyGroups', 'CreateKeyGroup',
      'CreateInvalidation', 'GetInvalidation', 'ListInvalidations',
      'ListDistributionsByCachePolicyId', 'ListDistributionsByOriginRequestPolicyId', 'ListDistributionsByResponseHeadersPolicyId', 'ListDistributionsByKeyGroup',
    ],
    exempt: {},
  },
};
