/**
 * An HTTP API as one stored document (kind `httpApi`): the API's settings and all its parts,
 * keyed by id (routes, integrations, authorizers, deployments) or name (stages), so every change
 * commits as one write and the data plane reads one object per request. Member names are the
 * wire's (lowerCamel), so the control plane shows a part by dropping nothing but the internals.
 */
import type { StoredDocument } from '../repo.js';

export const HTTP_API_KIND = 'httpApi';

export interface Cors {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface Route {
  routeId: string;
  routeKey: string;
  apiKeyRequired: boolean;
  authorizationType: 'NONE' | 'JWT' | 'AWS_IAM' | 'CUSTOM';
  authorizationScopes?: string[];
  authorizerId?: string;
  operationName?: string;
  requestParameters?: Record<string, { required: boolean }>;
  target?: string;
  apiGatewayManaged?: boolean;
  /** WebSocket APIs: `$default` makes the route two-way (the integration's answer goes back to the client). */
  routeResponseSelectionExpression?: string;
  modelSelectionExpression?: string;
  requestModels?: Record<string, string>;
  /** WebSocket APIs: the route's responses by id (a two-way route has the one keyed `$default`). */
  routeResponses?: Record<string, RouteResponse>;
}

/** A WebSocket route's response (CreateRouteResponse). */
export interface RouteResponse {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, { required: boolean }>;
}

/** A WebSocket integration's response (CreateIntegrationResponse): `$default` or a `/regex/` on the status. */
export interface IntegrationResponse {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
}

export interface Integration {
  integrationId: string;
  integrationType: 'AWS_PROXY' | 'HTTP_PROXY' | 'AWS' | 'HTTP' | 'MOCK';
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  integrationUri?: string;
  payloadFormatVersion: string;
  requestParameters?: Record<string, string>;
  /** Status code → mapping (`overwrite:statuscode`, `append:header.x`, ...). */
  responseParameters?: Record<string, Record<string, string>>;
  timeoutInMillis: number;
  apiGatewayManaged?: boolean;
  /** WebSocket APIs (AWS, HTTP, MOCK): request templates by template selection key, as REST APIs map requests. */
  requestTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  passthroughBehavior?: 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES';
  contentHandlingStrategy?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
  integrationResponseSelectionExpression?: string;
  integrationResponses?: Record<string, IntegrationResponse>;
}

export interface Authorizer {
  authorizerId: string;
  name: string;
  authorizerType: 'JWT' | 'REQUEST';
  /** WebSocket APIs: `route.request.header.X`, `route.request.querystring.X`, `stageVariables.X`, `context.X`. */
  identitySource: string[];
  jwtConfiguration?: { audience?: string[]; issuer?: string };
  authorizerUri?: string;
  authorizerCredentialsArn?: string;
  authorizerPayloadFormatVersion?: string;
  authorizerResultTtlInSeconds?: number;
  enableSimpleResponses?: boolean;
  identityValidationExpression?: string;
}

export interface RouteSettings {
  detailedMetricsEnabled?: boolean;
  loggingLevel?: string;
  dataTraceEnabled?: boolean;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface Stage {
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
  description?: string;
  stageVariables?: Record<string, string>;
  defaultRouteSettings?: RouteSettings;
  routeSettings?: Record<string, RouteSettings>;
  accessLogSettings?: { destinationArn?: string; format?: string };
  clientCertificateId?: string;
  tags: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
}

/** A WebSocket API's model (CreateModel): a JSON Schema draft 4 that routes name in `requestModels`. */
export interface Model {
  modelId: string;
  name: string;
  schema: string;
  contentType?: string;
  description?: string;
}

/** What a deployment froze: the parts a stage serves. */
export interface Snapshot {
  routes: Record<string, Route>;
  integrations: Record<string, Integration>;
  authorizers: Record<string, Authorizer>;
  /** WebSocket APIs' models by id; absent in deployments made before models were kept. */
  models?: Record<string, Model>;
}

export interface Deployment {
  deploymentId: string;
  description?: string;
  createdDate: number;
  autoDeployed: boolean;
  snapshot: Snapshot;
}

export interface HttpApiDoc extends StoredDocument {
  kind: typeof HTTP_API_KIND;
  name: string;
  protocolType: 'HTTP' | 'WEBSOCKET';
  description?: string;
  version?: string;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  corsConfiguration?: Cors;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  ipAddressType: string;
  createdDate: number;
  tags: Record<string, string>;
  routes: Record<string, Route>;
  integrations: Record<string, Integration>;
  authorizers: Record<string, Authorizer>;
  /** WebSocket APIs' models by id; absent in documents made before models were kept. */
  models?: Record<string, Model>;
  stages: Record<string, Stage>;
  deployments: Record<string, Deployment>;
}

/** AWS's quotas for HTTP APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). */
export const LIMITS = { routes: 300, integrations: 300, stages: 10, authorizers: 10, models: 200 } as const;

export const isWebSocket = (doc: { protocolType: string }): boolean => doc.protocolType === 'WEBSOCKET';

export const apiArn = (region: string, apiId: string) => `arn:aws:apigateway:${region}::/apis/${apiId}`;
export const stageArn = (region: string, apiId: string, stage: string) => `arn:aws:apigateway:${region}::/apis/${apiId}/stages/${stage}`;
