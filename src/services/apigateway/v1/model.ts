/**
 * The stored shape of a v1 REST API: one document (kind `restApi`) holding its resource tree,
 * methods and integrations, deployments (each a snapshot of what serves requests), stages,
 * authorizers and gateway responses, so a change commits as one write. The parts keep AWS's
 * own member names, so the control plane answers them nearly as stored. API keys and usage
 * plans are account-level documents of their own kinds.
 */
import type { StoredDocument } from '../repo.js';

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';
export type IntegrationType = 'HTTP' | 'AWS' | 'MOCK' | 'HTTP_PROXY' | 'AWS_PROXY';

export interface IntegrationResponse {
  statusCode: string;
  selectionPattern?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  contentHandling?: string;
}

export interface Integration {
  type: IntegrationType;
  httpMethod?: string;
  uri?: string;
  connectionType?: string;
  credentials?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: string;
  contentHandling?: string;
  timeoutInMillis: number;
  cacheNamespace?: string;
  cacheKeyParameters: string[];
  integrationResponses?: Record<string, IntegrationResponse>;
}

export interface MethodResponse {
  statusCode: string;
  responseParameters?: Record<string, boolean>;
  responseModels?: Record<string, string>;
}

export interface Method {
  httpMethod: string;
  authorizationType: AuthorizationType | string;
  authorizerId?: string;
  apiKeyRequired: boolean;
  requestValidatorId?: string;
  operationName?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  authorizationScopes?: string[];
  methodResponses?: Record<string, MethodResponse>;
  methodIntegration?: Integration;
}

export interface Resource {
  id: string;
  parentId?: string;
  pathPart?: string;
  path: string;
  resourceMethods?: Record<string, Method>;
}

export interface Authorizer {
  id: string;
  name: string;
  type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS';
  providerARNs?: string[];
  authType?: string;
  authorizerUri?: string;
  authorizerCredentials?: string;
  identitySource?: string;
  identityValidationExpression?: string;
  authorizerResultTtlInSeconds?: number;
}

export interface RequestValidator {
  id: string;
  name?: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

/** A model: a JSON Schema (draft 4) for a content type, named within its API. */
export interface Model {
  id: string;
  name: string;
  description?: string;
  schema?: string;
  contentType: string;
}

export interface GatewayResponse {
  responseType: string;
  statusCode?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  defaultResponse: boolean;
}

/** What a deployment freezes: the parts of the API that serve requests. */
export interface Snapshot {
  resources: Record<string, Resource>;
  authorizers: Record<string, Authorizer>;
  gatewayResponses: Record<string, GatewayResponse>;
  /** Absent in deployments made before validators were kept. */
  requestValidators?: Record<string, RequestValidator>;
  /** Models by name; absent in deployments made before models were kept. */
  models?: Record<string, Model>;
  policy?: string;
  binaryMediaTypes: string[];
  apiKeySource: string;
}

export interface Deployment {
  id: string;
  description?: string;
  createdDate: number;
  snapshot: Snapshot;
}

export interface MethodSetting {
  metricsEnabled: boolean;
  loggingLevel: string;
  dataTraceEnabled: boolean;
  throttlingBurstLimit: number;
  throttlingRateLimit: number;
  cachingEnabled: boolean;
  cacheTtlInSeconds: number;
  cacheDataEncrypted: boolean;
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: string;
}

export interface Stage {
  stageName: string;
  deploymentId: string;
  description?: string;
  cacheClusterEnabled: boolean;
  cacheClusterSize?: string;
  cacheClusterStatus: string;
  methodSettings: Record<string, MethodSetting>;
  variables?: Record<string, string>;
  accessLogSettings?: { format?: string; destinationArn?: string };
  tracingEnabled: boolean;
  tags?: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export interface RestApiDoc extends StoredDocument {
  kind: 'restApi';
  name: string;
  description?: string;
  createdDate: number;
  version?: string;
  binaryMediaTypes: string[];
  minimumCompressionSize?: number;
  apiKeySource: string;
  endpointConfiguration: { types: string[] };
  policy?: string;
  disableExecuteApiEndpoint: boolean;
  tags: Record<string, string>;
  rootResourceId: string;
  resources: Record<string, Resource>;
  deployments: Record<string, Deployment>;
  stages: Record<string, Stage>;
  authorizers: Record<string, Authorizer>;
  gatewayResponses: Record<string, GatewayResponse>;
  /** Absent in documents made before validators were kept. */
  requestValidators?: Record<string, RequestValidator>;
  /** Models by name; absent in documents made before models were kept. */
  models?: Record<string, Model>;
}

export interface ApiKeyDoc extends StoredDocument {
  kind: 'apiKey';
  name?: string;
  value: string;
  description?: string;
  enabled: boolean;
  customerId?: string;
  createdDate: number;
  lastUpdatedDate: number;
  stageKeys: string[];
  tags: Record<string, string>;
}

export interface UsagePlanDoc extends StoredDocument {
  kind: 'usagePlan';
  name: string;
  description?: string;
  apiStages: Array<{ apiId: string; stage: string; throttle?: Record<string, { rateLimit?: number; burstLimit?: number }> }>;
  throttle?: { rateLimit?: number; burstLimit?: number };
  quota?: { limit: number; offset?: number; period: 'DAY' | 'WEEK' | 'MONTH' };
  /** Ids of the API keys in the plan (usage plan keys), in the order they were added. */
  keyIds: string[];
  tags: Record<string, string>;
}

/** Epoch seconds, as API Gateway v1's JSON timestamps travel. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
