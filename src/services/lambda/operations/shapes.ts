/**
 * Wire shapes of Lambda's inputs, with the constraints of Lambda's model (botocore
 * `lambda/2015-03-31/service-2.json`, the October 2025 revision, whose patterns the messages
 * quote). The codec checks them before a handler runs and `lambdaValidationError` words them.
 * Checks the shape language cannot say as Lambda words them stay in the engine, collected in a
 * `ConstraintList`: the runtime list ("... or be a valid ARN"), environment variable names ("Map
 * keys must satisfy constraint"), and the items of enum lists ("Member must satisfy
 * constraint: [...]").
 */
import { FUNCTION_NAME_PATTERN, NAMESPACED_FUNCTION_NAME_PATTERN, QUALIFIER_PATTERN } from '../engine/names.js';
import { blob, boolean, document, inHeader, inPayload, inQuery, inUri, integer, list, map, required, string, structure, type Member, type Shape } from '../../../protocols/shapes.js';

const ARN = '(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()';
const SOURCE_ARN = 'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const ALIAS = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const VERSION = '(\\$LATEST|[0-9]+)';

export const functionName = string({ min: 1, max: 140, pattern: FUNCTION_NAME_PATTERN });
const namespacedFunctionName = string({ min: 1, max: 170, pattern: NAMESPACED_FUNCTION_NAME_PATTERN });

/** `{FunctionName}` in the URI, for operations that change a function. */
export const FUNCTION_NAME = inUri('FunctionName', functionName);
/** `{FunctionName}` in the URI, for operations that read or invoke one. */
export const NAMESPACED_FUNCTION_NAME = inUri('FunctionName', namespacedFunctionName);
export const QUALIFIER = inQuery(string({ min: 1, max: 128, pattern: QUALIFIER_PATTERN }), 'Qualifier');
export const MARKER = inQuery(string(), 'Marker');
/** A query-string member the operation requires (UntagResource's tagKeys). */
export const inQueryRequired = <S extends Shape>(shape: S, name: string): Member<S> & { required: true } => ({ shape, location: 'querystring', locationName: name, required: true });
/** MaxItems: most lists take up to 10000, the per-function ones up to 50. */
export const maxItems = (max: number) => inQuery(integer({ min: 1, max }), 'MaxItems');
export const aliasName = string({ min: 1, max: 128, pattern: ALIAS });
export const version = string({ min: 1, max: 1024, pattern: VERSION });
export const description = string({ max: 256 });
export const tags = map(string(), string());

export const arn = string({ pattern: SOURCE_ARN });
const destination = structure({ Destination: string({ max: 350, pattern: `$|${SOURCE_ARN}` }) });
export const destinationConfig = structure({ OnSuccess: destination, OnFailure: destination });

// ---- a function's configuration (CreateFunction, UpdateFunctionConfiguration) -----------------

export const code = structure({
  ZipFile: blob(),
  S3Bucket: string({ min: 3, max: 63, pattern: '[0-9A-Za-z\\.\\-_]*(?<!\\.)' }),
  S3Key: string({ min: 1, max: 1024 }),
  S3ObjectVersion: string({ min: 1, max: 1024 }),
  ImageUri: string(),
  SourceKMSKeyArn: string({ pattern: ARN }),
});

/** The configuration members CreateFunction and UpdateFunctionConfiguration share. */
export const configMembers = {
  // The runtimes Nimbus runs, checked by the engine: Lambda words this one "... or be a valid ARN".
  Runtime: string(),
  Handler: string({ max: 128, pattern: '[^\\s]+' }),
  Description: description,
  // The model has no upper bound; Lambda refuses more than 15 minutes as this constraint
  // ("Value '3000' at 'timeout' failed to satisfy constraint: Member must have value less than or
  // equal to 900", seen from CloudFormation in covidatlas/li#575).
  Timeout: integer({ min: 1, max: 900 }),
  MemorySize: integer({ min: 128, max: 10240 }),
  VpcConfig: structure({
    SubnetIds: list(string(), { max: 16 }),
    SecurityGroupIds: list(string(), { max: 5 }),
    Ipv6AllowedForDualStack: boolean(),
  }),
  // The names are checked by the engine: Lambda words them "Map keys must satisfy constraint".
  Environment: structure({ Variables: map(string(), string()) }),
  DeadLetterConfig: structure({ TargetArn: string({ pattern: ARN }) }),
  KMSKeyArn: string({ pattern: ARN }),
  TracingConfig: structure({ Mode: string({ enum: ['Active', 'PassThrough'] }) }),
  Layers: list(string({ min: 1, max: 140, pattern: 'arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+' })),
  FileSystemConfigs: list(
    structure({
      Arn: required(string({ max: 200, pattern: 'arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:access-point/fsap-[a-f0-9]{17}' })),
      LocalMountPath: required(string({ max: 160, pattern: '/mnt/[a-zA-Z0-9-_.]+' })),
    }),
    { max: 1 },
  ),
  ImageConfig: structure({
    EntryPoint: list(string(), { max: 1500 }),
    Command: list(string(), { max: 1500 }),
    WorkingDirectory: string({ max: 1000 }),
  }),
  EphemeralStorage: structure({ Size: required(integer({ min: 512, max: 10240 })) }),
  SnapStart: structure({ ApplyOn: string({ enum: ['PublishedVersions', 'None'] }) }),
  LoggingConfig: structure({
    LogFormat: string({ enum: ['JSON', 'Text'] }),
    ApplicationLogLevel: string({ enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] }),
    SystemLogLevel: string({ enum: ['DEBUG', 'INFO', 'WARN'] }),
    LogGroup: string({ min: 1, max: 512, pattern: '[\\.\\-_/#A-Za-z0-9]+' }),
  }),
};

/** Items checked by the engine against [x86_64, arm64], worded as Lambda words an enum list. */
export const architectures = list(string(), { min: 1, max: 1 });
export const role = string({ pattern: 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+' });
export const codeSigningConfigArn = string({
  max: 200,
  pattern: 'arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}',
});

// ---- aliases ----------------------------------------------------------------------------------

/** The weights are doubles (the shapes have no such kind): the engine checks them, and the keys. */
export const routingConfig = structure({ AdditionalVersionWeights: map(string(), document()) });

// ---- function URLs ----------------------------------------------------------------------------

export const URL_QUALIFIER = inQuery(string({ min: 1, max: 128, pattern: '(^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))' }), 'Qualifier');
// Lambda's message lists these in its own order, not the model's [NONE, AWS_IAM].
export const authType = string({ enum: ['AWS_IAM', 'NONE'] });
const headers = list(string({ max: 1024 }), { max: 100 });
export const cors = structure({
  AllowCredentials: boolean(),
  AllowHeaders: headers,
  AllowMethods: list(string({ max: 6 }), { max: 6 }),
  AllowOrigins: list(string({ min: 1, max: 253 }), { max: 100 }),
  ExposeHeaders: headers,
  MaxAge: integer({ min: 0, max: 86400 }),
});
export const invokeMode = string({ enum: ['BUFFERED', 'RESPONSE_STREAM'] });

// ---- tags and permissions ---------------------------------------------------------------------

export const TAGGABLE_RESOURCE = inUri(
  'Resource',
  string({
    min: 1,
    max: 256,
    pattern:
      'arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})',
  }),
);
export const statementId = string({ min: 1, max: 100, pattern: '([a-zA-Z0-9-_]+)' });
/** RemovePermission's statement id may hold dots. */
export const namespacedStatementId = string({ min: 1, max: 100, pattern: '([a-zA-Z0-9-_.]+)' });

export { blob, boolean, document, inHeader, inPayload, inQuery, inUri, integer, list, map, required, string, structure };
