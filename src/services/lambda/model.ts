/**
 * What the functions service keeps about a function. One document per function holds its
 * unpublished configuration ($LATEST), its published versions, aliases and the per-function
 * settings (concurrency, tags, URL and asynchronous-invoke configurations); documents are small
 * and read on every invoke, so they live in memory and are written whole.
 */

/** Where a version's code is: a zip in the function blob store, or a local directory (hot reload). */
export type CodeRef =
  | { kind: 'zip'; blobId: string; sha256: string; size: number }
  | { kind: 'dir'; path: string; sha256: string; size: number };

/** The configuration fields of one version, as FunctionConfiguration reports them. */
export interface VersionConfig {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Role: string;
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: string };
  RevisionId: string;
  Layers?: unknown[];
  PackageType: 'Zip';
  Architectures: string[];
  EphemeralStorage: { Size: number };
  LoggingConfig: { LogFormat: string; LogGroup: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
  DeadLetterConfig?: { TargetArn: string };
  KMSKeyArn?: string;
  VpcConfig?: unknown;
  State: 'Pending' | 'Active' | 'Inactive' | 'Failed';
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus: 'Successful' | 'Failed' | 'InProgress';
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  SnapStart: { ApplyOn: string; OptimizationStatus: string };
  RuntimeVersionConfig?: { RuntimeVersionArn: string };
}

export interface VersionRecord {
  config: VersionConfig;
  code: CodeRef;
}

export interface AliasRecord {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

/** PutFunctionEventInvokeConfig's settings, per qualifier ('$LATEST', a version or an alias). */
export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
  LastModified: number;
}

export interface UrlConfig {
  /** The id in the URL's host name. */
  urlId: string;
  FunctionUrl: string;
  FunctionArn: string;
  AuthType: 'NONE' | 'AWS_IAM';
  Cors?: Record<string, unknown>;
  InvokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  CreationTime: string;
  LastModifiedTime: string;
}

/** Resource-based policy statements (AddPermission), by statement id. */
export type PolicyStatements = Record<string, Record<string, unknown>>;

export interface FunctionRecord {
  accountId: string;
  region: string;
  name: string;
  latest: VersionRecord;
  /** Published versions by number. */
  versions: Record<string, VersionRecord>;
  /** The number the next PublishVersion gets. */
  nextVersion: number;
  aliases: Record<string, AliasRecord>;
  reservedConcurrency?: number;
  tags: Record<string, string>;
  /** By qualifier; '$LATEST' for the unqualified function. */
  eventInvokeConfigs: Record<string, EventInvokeConfig>;
  /** By qualifier ('$LATEST' or an alias name). */
  urlConfigs: Record<string, UrlConfig>;
  policy: PolicyStatements;
  /** The access key that created the function: its environments get that key's credentials. */
  creatorKeyId?: string;
}

/** The functions a Nimbus holds, keyed by `${accountId}:${region}:${name}`. */
export const functionKey = (accountId: string, region: string, name: string) => `${accountId}:${region}:${name}`;
