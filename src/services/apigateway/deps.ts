/**
 * What the parts of API Gateway share: the documents, the clock and ids, the calls into other
 * services, and the contract between the host router's execute-api endpoint and the data plane
 * of each kind of API.
 */
import type { Clock } from '../../lib/clock.js';
import type { Ids } from '../../lib/ids.js';
import type { InternalApi } from '../../lib/internal.js';
import type { Logger } from '../../lib/log.js';
import type { OutboundGuard } from '../../lib/outbound.js';
import type { SigV4Identity } from '../../protocols/sigv4.js';
import type { ApiRequest, ApiResponse } from '../../server/api.js';
import type { Store } from '../../store/store.js';
import type { Operation } from '../service.js';
import type { AcknowledgedDelivery } from './ack/delivery.js';
import type { Documents } from './engine/documents.js';
import type { CognitoPools } from './shared/cognito.js';
import type { ApiGatewayRepo, StoredDocument } from './repo.js';
import type { Connections } from './ws/connections.js';

export interface GatewayDeps {
  documents: Documents;
  /** Counters (usage plan quotas); documents go through `documents`. */
  repo: ApiGatewayRepo;
  store: Store;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** The default region. */
  region: string;
  /** Calls into other services: `lambda.invoke`, `sqs.sendMessage`, `logs.append`, ... */
  internal: InternalApi;
  /** Nimbus's own `http://host:port`, known once listening. */
  endpoint(): string;
  /** Where HTTP integrations may connect: spread `outbound.requestOptions(url)` into every node:http(s) request to a user's URL. */
  outbound: OutboundGuard;
  /** Acknowledged delivery (a Nimbus extension of WebSocket APIs): mailboxes per client. */
  delivery: AcknowledgedDelivery;
  /** The open WebSocket API connections on this node (ws/connections.ts). */
  connections: Connections;
  /** Where Cognito user pools' keys and issuers are, for COGNITO_USER_POOLS and JWT authorizers. */
  cognito: CognitoPools;
}

/** One request to an API, as the execute-api endpoint hands it to the API's data plane. */
export interface InvokeCall {
  /** The path within the API: `/{stage}/...`, or `/...` for the `$default` stage. */
  path: string;
  /** The host a handler sees as `requestContext.domainName`, and can call back on. */
  domainName: string;
  /** Verifies the request's SigV4 signature (AWS_IAM routes): throws when it is missing or wrong. */
  verify(): SigV4Identity;
}

/** The request-serving half of one kind of API (v2 HTTP APIs, v1 REST APIs). */
export interface DataPlane {
  /** The document kinds this data plane serves. */
  kinds: readonly string[];
  handle(req: ApiRequest, api: StoredDocument, call: InvokeCall): Promise<ApiResponse>;
}

/** What each kind of API contributes to the plugin. */
export interface ApiKind {
  operations: Record<string, Operation>;
  dataPlane: DataPlane;
}
