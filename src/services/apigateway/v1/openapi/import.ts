/**
 * An OpenAPI 3.0 or Swagger 2.0 definition (JSON) as the parts of a REST API, with API
 * Gateway's extensions: `x-amazon-apigateway-integration` (and its `responses`, keyed by
 * selection pattern), `x-amazon-apigateway-any-method`, `x-amazon-apigateway-authorizer` on a
 * security scheme, an `apiKey` scheme named `x-api-key`, `x-amazon-apigateway-binary-media-types`,
 * `-api-key-source`, `-policy` and `-gateway-responses`. Everything is read with bounds: at most
 * the API quota's resources and each method's parts once. Schemas become models and methods'
 * bodies and responses name them (models.ts).
 */
import { BadRequestException } from '../../errors.js';
import { readDefinition } from '../../shared/definition.js';
import { lambdaArnOf } from '../control/integrations.js';
import type { Authorizer, GatewayResponse, Integration, IntegrationResponse, Method, MethodResponse, Model, RequestValidator, Resource } from '../model.js';
import { importModels, requestModelsOf, responseModelsOf } from './models.js';

export interface ImportedApi {
  name: string;
  description?: string;
  version?: string;
  resources: Record<string, Resource>;
  authorizers: Record<string, Authorizer>;
  gatewayResponses: Record<string, GatewayResponse>;
  requestValidators: Record<string, RequestValidator>;
  binaryMediaTypes: string[];
  apiKeySource?: string;
  policy?: string;
  /** The definition's schemas (components/schemas, definitions) by name. */
  models: Record<string, Model>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strMap = (v: unknown): Record<string, string> | undefined => {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return Object.keys(out).length ? out : undefined;
};

const METHODS: Record<string, string> = { get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', options: 'OPTIONS', head: 'HEAD', patch: 'PATCH', 'x-amazon-apigateway-any-method': 'ANY' };
const MAX_RESOURCES = 300;

export function parseDefinition(body: Buffer): Obj {
  const read = readDefinition(body.toString('utf8'));
  if (!read.ok) throw new BadRequestException(`Invalid OpenAPI input: ${read.error}`);
  const doc = read.doc;
  if (!isObj(doc) || !(str(doc.openapi)?.startsWith('3.') || doc.swagger === '2.0')) throw new BadRequestException('Invalid OpenAPI input: expected OpenAPI 3.x or Swagger 2.0');
  return doc;
}

export function importDefinition(doc: Obj, newId: () => string, rootId: string, apiId: string): ImportedApi {
  const info = isObj(doc.info) ? doc.info : {};
  const name = str(info.title);
  if (!name) throw new BadRequestException('Invalid OpenAPI input: info.title is required (it names the REST API)');
  const oas3 = doc.openapi !== undefined;
  const models = importModels(doc, oas3, apiId, newId);
  const schemes = (oas3 ? (isObj(doc.components) ? doc.components.securitySchemes : undefined) : doc.securityDefinitions) as Obj | undefined;

  const authorizers: Record<string, Authorizer> = {};
  const authorizerByScheme = new Map<string, string>();
  const apiKeySchemes = new Set<string>();
  const iamSchemes = new Set<string>();
  for (const [schemeName, s] of Object.entries(isObj(schemes) ? schemes : {})) {
    if (!isObj(s)) continue;
    const ext = s['x-amazon-apigateway-authorizer'];
    if (isObj(ext)) {
      const id = newId();
      const type = (str(ext.type) ?? 'token').toUpperCase() as Authorizer['type'];
      const header = str(s.name) ?? 'Authorization';
      authorizers[id] = {
        id,
        name: schemeName,
        type,
        ...(str(ext.authorizerUri) ? { authorizerUri: str(ext.authorizerUri)! } : {}),
        ...(str(ext.authorizerCredentials) ? { authorizerCredentials: str(ext.authorizerCredentials)! } : {}),
        identitySource: str(ext.identitySource) ?? `method.request.header.${header}`,
        ...(str(ext.identityValidationExpression) ? { identityValidationExpression: str(ext.identityValidationExpression)! } : {}),
        authorizerResultTtlInSeconds: typeof ext.authorizerResultTtlInSeconds === 'number' ? ext.authorizerResultTtlInSeconds : 300,
        ...(Array.isArray(ext.providerARNs) ? { providerARNs: ext.providerARNs.filter((a): a is string => typeof a === 'string') } : {}),
      };
      authorizerByScheme.set(schemeName, id);
    } else if (s['x-amazon-apigateway-authtype'] === 'awsSigv4') iamSchemes.add(schemeName);
    else if (s.type === 'apiKey' && String(s.name).toLowerCase() === 'x-api-key') apiKeySchemes.add(schemeName);
  }

  // x-amazon-apigateway-request-validators: named validators; -request-validator picks one (API-wide or per operation).
  const requestValidators: Record<string, RequestValidator> = {};
  const validatorByName = new Map<string, string>();
  for (const [vName, v] of Object.entries(isObj(doc['x-amazon-apigateway-request-validators']) ? (doc['x-amazon-apigateway-request-validators'] as Obj) : {})) {
    if (!isObj(v)) continue;
    const id = newId();
    requestValidators[id] = { id, name: vName, validateRequestBody: v.validateRequestBody === true, validateRequestParameters: v.validateRequestParameters === true };
    validatorByName.set(vName, id);
  }
  const defaultValidator = str(doc['x-amazon-apigateway-request-validator']);

  const resources: Record<string, Resource> = { [rootId]: { id: rootId, path: '/' } };
  const byPath = new Map<string, Resource>([['/', resources[rootId]!]]);
  const resourceFor = (path: string): Resource => {
    let cur = byPath.get('/')!;
    for (const part of path.split('/').filter(Boolean)) {
      const p = cur.path === '/' ? `/${part}` : `${cur.path}/${part}`;
      let next = byPath.get(p);
      if (!next) {
        if (byPath.size >= MAX_RESOURCES) throw new BadRequestException(`Invalid OpenAPI input: more than ${MAX_RESOURCES} resources`);
        if (!/^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._-]+)$/.test(part)) throw new BadRequestException(`Invalid OpenAPI input: invalid path part '${part}' in ${path}`);
        next = { id: newId(), parentId: cur.id, pathPart: part, path: p };
        resources[next.id] = next;
        byPath.set(p, next);
      }
      cur = next;
    }
    return cur;
  };

  const globalSecurity = Array.isArray(doc.security) ? doc.security : [];
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    if (!isObj(item) || !path.startsWith('/')) continue;
    const resource = resourceFor(path);
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const [key, op] of Object.entries(item)) {
      const httpMethod = METHODS[key];
      if (!httpMethod || !isObj(op)) continue;
      const method: Method = { httpMethod, authorizationType: 'NONE', apiKeyRequired: false };
      const validatorName = str(op['x-amazon-apigateway-request-validator']) ?? defaultValidator;
      const validatorId = validatorName !== undefined ? validatorByName.get(validatorName) : undefined;
      if (validatorName !== undefined && !validatorId) throw new BadRequestException(`Invalid OpenAPI input: no request validator named '${validatorName}'`);
      if (validatorId) method.requestValidatorId = validatorId;
      for (const requirement of Array.isArray(op.security) ? op.security : globalSecurity) {
        if (!isObj(requirement)) continue;
        for (const schemeName of Object.keys(requirement)) {
          const authorizerId = authorizerByScheme.get(schemeName);
          if (authorizerId) {
            method.authorizationType = authorizers[authorizerId]!.type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : 'CUSTOM';
            method.authorizerId = authorizerId;
          } else if (iamSchemes.has(schemeName)) method.authorizationType = 'AWS_IAM';
          else if (apiKeySchemes.has(schemeName)) method.apiKeyRequired = true;
        }
      }
      const requestParameters: Record<string, boolean> = {};
      const parameters = [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])];
      const requestModels = requestModelsOf(op, parameters, doc, oas3);
      if (requestModels) method.requestModels = requestModels;
      for (const p of parameters) {
        if (!isObj(p) || !str(p.name)) continue;
        const where = p.in === 'path' ? 'path' : p.in === 'query' ? 'querystring' : p.in === 'header' ? 'header' : undefined;
        if (where) requestParameters[`method.request.${where}.${p.name as string}`] = p.required === true;
      }
      if (Object.keys(requestParameters).length) method.requestParameters = requestParameters;
      const methodResponses: Record<string, MethodResponse> = {};
      for (const [code, r] of Object.entries(isObj(op.responses) ? op.responses : {})) {
        if (!/^[1-5]\d\d$/.test(code)) continue;
        const headers = isObj(r) && isObj(r.headers) ? Object.keys(r.headers) : [];
        const responseModels = responseModelsOf(r, op, doc, oas3);
        methodResponses[code] = {
          statusCode: code,
          ...(headers.length ? { responseParameters: Object.fromEntries(headers.map((h) => [`method.response.header.${h}`, false])) } : {}),
          ...(responseModels ? { responseModels } : {}),
        };
      }
      if (Object.keys(methodResponses).length) method.methodResponses = methodResponses;
      const ext = op['x-amazon-apigateway-integration'];
      if (isObj(ext)) method.methodIntegration = integrationOf(ext, resource.id, path);
      (resource.resourceMethods ??= {})[httpMethod] = method;
    }
  }

  const gatewayResponses: Record<string, GatewayResponse> = {};
  for (const [type, g] of Object.entries(isObj(doc['x-amazon-apigateway-gateway-responses']) ? (doc['x-amazon-apigateway-gateway-responses'] as Obj) : {})) {
    if (!isObj(g)) continue;
    const statusCode = g.statusCode !== undefined ? String(g.statusCode) : undefined;
    const responseParameters = strMap(g.responseParameters);
    const responseTemplates = strMap(g.responseTemplates);
    gatewayResponses[type] = { responseType: type, ...(statusCode ? { statusCode } : {}), ...(responseParameters ? { responseParameters } : {}), ...(responseTemplates ? { responseTemplates } : {}), defaultResponse: false };
  }
  const binary = doc['x-amazon-apigateway-binary-media-types'];
  const policy = doc['x-amazon-apigateway-policy'];
  return {
    name,
    ...(str(info.description) ? { description: str(info.description)! } : {}),
    ...(str(info.version) ? { version: str(info.version)! } : {}),
    resources,
    authorizers,
    gatewayResponses,
    requestValidators,
    binaryMediaTypes: Array.isArray(binary) ? binary.filter((b): b is string => typeof b === 'string') : [],
    ...(str(doc['x-amazon-apigateway-api-key-source']) ? { apiKeySource: str(doc['x-amazon-apigateway-api-key-source'])!.toUpperCase() } : {}),
    ...(isObj(policy) ? { policy: JSON.stringify(policy) } : typeof policy === 'string' ? { policy } : {}),
    models,
  };
}

function integrationOf(ext: Obj, resourceId: string, path: string): Integration {
  const type = (str(ext.type) ?? '').toUpperCase() as Integration['type'];
  if (!['HTTP', 'AWS', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'].includes(type)) throw new BadRequestException(`Invalid OpenAPI input: unsupported integration type '${String(ext.type)}' at ${path}`);
  if (type === 'AWS_PROXY' && !lambdaArnOf(str(ext.uri))) throw new BadRequestException(`Invalid OpenAPI input: the AWS_PROXY integration at ${path} names no Lambda function`);
  const responses: Record<string, IntegrationResponse> = {};
  for (const [pattern, r] of Object.entries(isObj(ext.responses) ? ext.responses : {})) {
    if (!isObj(r) || r.statusCode === undefined) continue;
    const statusCode = String(r.statusCode);
    const responseParameters = strMap(r.responseParameters);
    const responseTemplates = strMap(r.responseTemplates);
    responses[statusCode] = {
      statusCode,
      ...(pattern !== 'default' ? { selectionPattern: pattern } : {}),
      ...(responseParameters ? { responseParameters } : {}),
      ...(responseTemplates ? { responseTemplates } : {}),
      ...(str(r.contentHandling) ? { contentHandling: str(r.contentHandling)! } : {}),
    };
  }
  const requestParameters = strMap(ext.requestParameters);
  const requestTemplates = strMap(ext.requestTemplates);
  const timeout = typeof ext.timeoutInMillis === 'number' ? ext.timeoutInMillis : 29000;
  if (timeout < 50 || timeout > 29000) throw new BadRequestException('Timeout should be between 50 ms and 29000 ms');
  return {
    type,
    ...(type !== 'MOCK' && str(ext.httpMethod) ? { httpMethod: str(ext.httpMethod)!.toUpperCase() } : {}),
    ...(str(ext.uri) ? { uri: str(ext.uri)! } : {}),
    ...(type !== 'MOCK' ? { connectionType: str(ext.connectionType) ?? 'INTERNET' } : {}),
    ...(str(ext.credentials) ? { credentials: str(ext.credentials)! } : {}),
    ...(requestParameters ? { requestParameters } : {}),
    ...(requestTemplates ? { requestTemplates } : {}),
    passthroughBehavior: (str(ext.passthroughBehavior) ?? 'when_no_match').toUpperCase(),
    ...(str(ext.contentHandling) ? { contentHandling: str(ext.contentHandling)! } : {}),
    timeoutInMillis: timeout,
    cacheNamespace: str(ext.cacheNamespace) ?? resourceId,
    cacheKeyParameters: Array.isArray(ext.cacheKeyParameters) ? ext.cacheKeyParameters.filter((c): c is string => typeof c === 'string') : [],
    ...(Object.keys(responses).length ? { integrationResponses: responses } : {}),
  };
}
