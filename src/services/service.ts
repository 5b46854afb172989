/**
 * The contract between the core and a service plugin. A service declares its name, how
 * requests for it are recognised (SigV4 signing name, X-Amz-Target prefix), which wire
 * protocols it answers and its operations; it never sees HTTP.
 */
import type { Clock } from '../lib/clock.js';
import type { EventBus } from '../lib/event-bus.js';
import type { InternalApi } from '../lib/internal.js';
import type { Ids } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import type { OutboundGuard } from '../lib/outbound.js';
import type { AwsError } from '../protocols/errors.js';
import type { HttpBinding } from '../protocols/rest.js';
import type { Credentials, SigV4Identity, StreamingSignature } from '../protocols/sigv4.js';
import type { ApiRequest, ApiResponse, UpgradeRequest, WebSocketConnection } from '../server/api.js';
import type { HostMatch, RouteHead } from '../server/host-router.js';
import type { StructureShape, Violation } from '../protocols/shapes.js';
import type { BlobStore } from '../store/blobs.js';
import type { Store } from '../store/store.js';

/** What an operation handler knows about the request that called it. */
export interface RequestContext {
  requestId: string;
  /** The AWS operation called (`GetItem`), for the wording of refusals. */
  operation?: string;
  /** The signer's account; '' for an anonymous request (services that allow them: S3). */
  accountId: string;
  /** An unsigned request, let through because its service decides on its own (bucket policies). */
  anonymous?: boolean;
  /**
   * The AWS service principal the request was signed as (a key Nimbus minted for itself, see
   * `ServiceEnv.serviceCredentials`): `accountId` is then '' and policies naming the service decide.
   */
  principalService?: string;
  /** The client's address, for policy conditions. */
  sourceIp?: string;
  /** The request headers, for services whose operations read more than their declared members. */
  headers?: Record<string, string | string[] | undefined>;
  region: string;
  /** The access key that signed the request. */
  accessKeyId: string;
  /** `http://host:port` as the client called it, for URLs in responses (queue URLs). */
  endpoint: string;
  /** The request path, for services that address resources by path (SQS query requests). */
  path: string;
  /** The raw query string (S3's response-* overrides). */
  query?: string;
  /** The X-Amzn-Trace-Id request header (X-Ray tracing), when sent. */
  traceHeader?: string;
  /**
   * The payload hash the signature covers, for operations that stream their body: a hex
   * SHA-256 the service must check against the bytes, UNSIGNED-PAYLOAD, or STREAMING-* with
   * what the aws-chunked decoder needs to verify each chunk.
   */
  payload?: { hash: string; streaming?: StreamingSignature };
}

/**
 * An operation as the registry keeps it (`defineOperation` builds one with its handler's types
 * inferred from the shapes; the registry erases them to `unknown`).
 */
export interface Operation<I = unknown, O = unknown> {
  input: StructureShape;
  /** Absent when the operation answers with an empty body. */
  output?: StructureShape;
  handler(input: I, ctx: RequestContext): Promise<O> | O;
  /** REST protocols: the method and URI template that select the operation. */
  http?: HttpBinding;
  /** The largest body the operation takes, when more than the server's default (Lambda's code uploads). */
  maxBodyBytes?: number;
  /** REST-XML: the root element of an output whose body members have no payload member. */
  outputRoot?: string;
}

export interface JsonProtocolSpec {
  /** X-Amz-Target prefix, e.g. `AmazonSQS`. */
  targetPrefix: string;
  /** Smithy namespace used in `__type`, e.g. `com.amazonaws.sqs`. */
  namespace: string;
  version: '1.0' | '1.1';
  /** Adds `x-amzn-query-error` to errors, for services migrated from the query protocol. */
  queryCompatible?: boolean;
  /**
   * DynamoDB's Coral front end: `com.amazon.coral.validate#` / `com.amazon.coral.service#`
   * error namespaces and Java wording for wrong JSON types, every client error (signature
   * failures too) as HTTP 400, `x-amz-crc32` of each answer, 52-character request ids,
   * 16 MB request bodies, gzip/deflate request bodies and gzip answers (pipeline/coral.ts).
   */
  coral?: boolean;
}

export interface QueryProtocolSpec {
  xmlNamespace: string;
}

export interface RestXmlProtocolSpec {
  xmlNamespace: string;
  /**
   * Query names that choose an operation (S3's subresources): a request naming one is routed
   * only to an operation whose URI names it, and is answered `notImplemented` when none does.
   */
  subresources?: readonly string[];
  /** The error for a request naming a subresource no operation implements (S3: 501 NotImplemented). */
  notImplemented?(subresource: string): AwsError;
  /**
   * How errors are wrapped: S3's bare `<Error>` (the default), or `<ErrorResponse>` around
   * `<Error><Type/><Code/><Message/></Error>` and `<RequestId>`, as CloudFront writes them.
   */
  errorEnvelope?: 'Error' | 'ErrorResponse';
  /** The error for a body that is not well-formed XML (default: S3's MalformedXML). */
  malformedBody?(): AwsError;
}

export interface RestJsonProtocolSpec {
  /** The error for a body that is not JSON or has a member of the wrong type (Lambda: InvalidRequestContentException). */
  malformedBody(): AwsError;
  /**
   * Where several restJson services share a signing name (API Gateway's v1 and v2 control planes,
   * whose operation names overlap: CreateStage, GetTags, ...), each claims the requests whose
   * path starts with its prefix (`/v2/`); the one without a prefix takes the rest.
   */
  pathPrefix?: string;
}

/** Shared facilities the core hands every service when it starts. */
export interface ServiceEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Default region for resources created without one in their context. */
  region: string;
  /** In-process events between services (table stream records, ...). */
  bus: EventBus;
  /** Large payloads (object bodies) as files, by id; metadata stays in the store. */
  blobs: BlobStore;
  /**
   * A directory this Nimbus owns, for files a service keeps beside the store (unpacked
   * function code); a private temporary directory, removed at stop, in memory mode.
   */
  dataDir: string;
  /** Whether the store is in memory: nothing written under dataDir needs to survive. */
  memory: boolean;
  /** Nimbus's own `http://host:port`, for code that calls back in (function environments); known once listening. */
  endpoint(): string;
  /** Nimbus's TLS listener (`https://127.0.0.1:<port>`) and the CA that signed its certificate, once listening; undefined without one. */
  tls?(): { endpoint: string; caFile: string } | undefined;
  /** Functions services offer each other in-process (SQS's send by queue ARN, ...). */
  internal: InternalApi;
  /** Where Nimbus may connect for a user (subscription and integration URLs): spread `requestOptions(url)` into every such request. */
  outbound: OutboundGuard;
  /** The configured credentials by access key id (S3 verifies POST-form signatures itself). */
  credentials?(accessKeyId: string): Credentials | undefined;
  /** A configured key pair of an account (function environments act as their account). */
  accountCredentials?(accountId: string): Credentials | undefined;
  /**
   * A key pair Nimbus mints (once per process, random, never written anywhere) to sign requests
   * to itself as an AWS service principal, e.g. `cloudfront.amazonaws.com` for origin access control.
   */
  serviceCredentials?(principalService: string): Credentials;
}

export interface ServicePlugin {
  name: string;
  signingName: string;
  json?: JsonProtocolSpec;
  query?: QueryProtocolSpec;
  /** REST-XML (S3): operations chosen by method and URI; each operation declares `http`. */
  restXml?: RestXmlProtocolSpec;
  /** restJson1 (Lambda): operations chosen by method and URI, bodies in JSON; each operation declares `http`. */
  restJson?: RestJsonProtocolSpec;
  operations: Record<string, Operation<unknown, unknown>>;
  /** Fills query-protocol parameters implied by the request path (SQS: QueueUrl). */
  queryDefaults?(params: Map<string, string>, path: string): void;
  /**
   * Whether this service takes an unsigned request (no Authorization header, no presigned
   * query): S3 does for buckets that exist, and authorizes it by the bucket's policy and ACL.
   * `endpoint` is the host router's match when the request came on one of this service's hosts.
   */
  claimsUnsigned?(req: { method: string; path: string; headers: Record<string, string | string[] | undefined> }, endpoint?: EndpointMatch): boolean;
  /**
   * The hosts and path prefixes this service answers beside the plain API host, matched once by
   * the server's host router (most specific pattern first, whatever the order services register).
   */
  hosts?: HostRoute[];
  /**
   * Told of every answer this service gave, once it is made (S3's server access logs). Must be
   * cheap and must not throw: it runs on every request.
   */
  answered?(a: AnsweredRequest): void;
  /** Headers added to every answer of this service (S3's CORS headers for allowed origins). */
  responseHeaders?(req: { method: string; path: string; headers: Record<string, string | string[] | undefined> }, endpoint?: EndpointMatch): Record<string, string> | undefined;
  /** Builds the AwsError for input that fails shape validation. */
  validationError(violations: Violation[], operation: string): AwsError;
  /**
   * Starts background work that may call back into Nimbus (queued invocations, event source
   * mappings): called once the server is listening, so `env.endpoint()` is known.
   */
  start?(): void;
  /** Stops timers and background work; the store is flushed after. */
  stop?(): Promise<void> | void;
  /** Extra facts for GET /_nimbus/health. */
  health?(): Record<string, unknown>;
}

/** An answered request, as `ServicePlugin.answered` sees it. */
export interface AnsweredRequest {
  method: string;
  /** Raw path and query as received. */
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  requestId: string;
  sourceIp?: string;
  endpoint?: EndpointMatch;
  /** The signed caller's account; undefined for an anonymous (or unauthenticated) request. */
  accountId?: string;
  status: number;
  responseHeaders: Record<string, string>;
  /** The answer's body when it is not a stream (an error's XML). */
  body?: string | Buffer;
  /** Milliseconds since the request arrived. */
  ms: number;
}

/** Builds a service's plugins; services that share an engine (DynamoDB and its Streams API) return several. */
export type ServiceFactory = (env: ServiceEnv) => ServicePlugin | ServicePlugin[] | Promise<ServicePlugin | ServicePlugin[]>;

/**
 * A host or path a service claims (see src/server/host-router.ts for the pattern syntax and
 * the specificity rules). At least one of `host` and `pathStyle`; at least one of `api`, `http`
 * and `websocket`.
 */
export interface HostRoute {
  /** A host pattern, e.g. `{bucket}.s3-website-{region}.localhost`. */
  host?: string;
  /**
   * The path-style form, for clients that cannot resolve `*.localhost` (glibc does not), e.g.
   * `/_nimbus/lambda-url/{urlId}`; or a plain path prefix (`/_nimbus/sns/`).
   */
  pathStyle?: string;
  /** `pathStyle` must equal the whole path rather than prefix it. */
  exact?: boolean;
  /**
   * Host names users choose (CloudFront's alternate domain names): asked with the lower-case
   * name, without the port, for a dotted host no pattern matched. Must be a cheap lookup: it runs
   * for every such request.
   */
  claimsHost?(name: string): boolean;
  /** A narrower claim: the route matches only when this holds too (SNS's unsigned `/?Action=` links). */
  when?(req: RouteHead): boolean;
  /**
   * AWS API requests on this host (S3 virtual-hosted buckets): they go through SigV4, decode and
   * encode as any other, routed by this path instead of the request's.
   */
  api?: { routingPath(match: EndpointMatch): string };
  /**
   * A plain HTTP endpoint (function URLs, SNS links, later API gateways): the request is handed
   * over whole; the endpoint decides its own authentication (`verify` checks SigV4 when it wants it).
   */
  http?(req: ApiRequest, match: EndpointMatch, verify: () => SigV4Identity): Promise<ApiResponse>;
  /** A plain HTTP endpoint's own body limit (API Gateway's 10 MB payloads) and its answer past it; else the server's. */
  maxBody?: { bytes: number; tooLarge(): ApiResponse };
  /** WebSocket upgrades on this host or path. */
  websocket?: WebSocketEndpoint;
}

/** What the host router found for a request: the service, its route, the captured labels and the path within it. */
export type EndpointMatch = HostMatch<{ service: ServicePlugin; route: HostRoute }>;

/** An endpoint's answer to an upgrade: refused with an HTTP response, or accepted (with a subprotocol). */
export type UpgradeAnswer = ApiResponse | { protocol?: string } | undefined;

export interface WebSocketEndpoint {
  /**
   * The largest frame payload taken, in bytes; a larger frame closes the connection with 1009.
   * Default 128 KiB, API Gateway's limit for WebSocket APIs.
   */
  maxPayload?: number;
  /**
   * Asked before the upgrade is accepted: an HTTP response refuses it; `{ protocol }` accepts it
   * with that subprotocol (one the client offered) in the handshake's `Sec-WebSocket-Protocol`.
   * Otherwise the handshake names no subprotocol, whatever the client offered (as API Gateway).
   */
  accept?(req: UpgradeRequest, match: EndpointMatch, verify: () => SigV4Identity): UpgradeAnswer | Promise<UpgradeAnswer>;
  /** The connection, once open. */
  open(conn: WebSocketConnection, req: UpgradeRequest, match: EndpointMatch): void;
}
