/**
 * A stage's deployed API as OpenAPI 3.0.1 (`oas30`) or Swagger 2.0 (`swagger`), JSON, with API
 * Gateway's extensions when asked for (`extensions=integrations|apigateway|authorizers`):
 * integrations, authorizers, binary media types, the policy and gateway responses; and the models
 * methods use, as schemas (models.ts).
 */
import type { Authorizer, Integration, Method, RestApiDoc, Snapshot } from '../model.js';
import { ExportedModels } from './models.js';

type Obj = Record<string, unknown>;

const methodKey = (m: string) => (m === 'ANY' ? 'x-amazon-apigateway-any-method' : m.toLowerCase());

export function exportDefinition(api: RestApiDoc, stage: string, snapshot: Snapshot, format: 'oas30' | 'swagger', extensions: Set<string>): Obj {
  const oas3 = format === 'oas30';
  const withIntegrations = extensions.has('integrations') || extensions.has('apigateway');
  const withAuthorizers = withIntegrations || extensions.has('authorizers');
  const schemes: Obj = {};
  const schemeOf = (a: Authorizer): string => {
    schemes[a.name] = {
      type: 'apiKey',
      name: /^method\.request\.header\.([^,\s]+)$/.exec(a.identitySource ?? '')?.[1] ?? 'Unused',
      in: 'header',
      'x-amazon-apigateway-authtype': a.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom',
      ...(withAuthorizers
        ? {
            'x-amazon-apigateway-authorizer': {
              type: a.type.toLowerCase(),
              ...(a.authorizerUri ? { authorizerUri: a.authorizerUri } : {}),
              ...(a.authorizerCredentials ? { authorizerCredentials: a.authorizerCredentials } : {}),
              ...(a.identitySource ? { identitySource: a.identitySource } : {}),
              ...(a.identityValidationExpression ? { identityValidationExpression: a.identityValidationExpression } : {}),
              authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds ?? 300,
              ...(a.providerARNs ? { providerARNs: a.providerARNs } : {}),
            },
          }
        : {}),
    };
    return a.name;
  };

  const paths: Obj = {};
  const models = new ExportedModels(api.id, snapshot.models ?? {}, oas3);
  for (const r of Object.values(snapshot.resources).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const methods = Object.values(r.resourceMethods ?? {});
    if (!methods.length) continue;
    const item: Obj = {};
    for (const m of methods) item[methodKey(m.httpMethod)] = operation(m, oas3, withIntegrations, snapshot, schemeOf, schemes, models);
    paths[r.path] = item;
  }
  const schemas = models.schemas();
  const components: Obj = { ...(schemas ? { schemas } : {}), ...(Object.keys(schemes).length ? { securitySchemes: schemes } : {}) };

  const top: Obj = oas3
    ? {
        openapi: '3.0.1',
        info: { title: api.name, ...(api.description ? { description: api.description } : {}), version: api.version ?? new Date(api.createdDate * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
        servers: [{ url: `https://${api.id}.execute-api.${api.region}.amazonaws.com/{basePath}`, variables: { basePath: { default: stage } } }],
        paths,
        ...(Object.keys(components).length ? { components } : {}),
      }
    : {
        swagger: '2.0',
        info: { title: api.name, ...(api.description ? { description: api.description } : {}), version: api.version ?? new Date(api.createdDate * 1000).toISOString().replace(/\.\d+Z$/, 'Z') },
        host: `${api.id}.execute-api.${api.region}.amazonaws.com`,
        basePath: `/${stage}`,
        schemes: ['https'],
        paths,
        ...(Object.keys(schemes).length ? { securityDefinitions: schemes } : {}),
        ...(schemas ? { definitions: schemas } : {}),
      };
  if (withIntegrations) {
    if (snapshot.binaryMediaTypes.length) top['x-amazon-apigateway-binary-media-types'] = snapshot.binaryMediaTypes;
    if (snapshot.policy) top['x-amazon-apigateway-policy'] = JSON.parse(snapshot.policy) as unknown;
    if (snapshot.apiKeySource !== 'HEADER') top['x-amazon-apigateway-api-key-source'] = snapshot.apiKeySource;
    const validators = Object.values(snapshot.requestValidators ?? {});
    if (validators.length) {
      top['x-amazon-apigateway-request-validators'] = Object.fromEntries(validators.map((v) => [v.name ?? v.id, { validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters }]));
    }
    if (Object.keys(snapshot.gatewayResponses).length) {
      top['x-amazon-apigateway-gateway-responses'] = Object.fromEntries(
        Object.values(snapshot.gatewayResponses).map((g) => [g.responseType, { ...(g.statusCode ? { statusCode: g.statusCode } : {}), ...(g.responseParameters ? { responseParameters: g.responseParameters } : {}), ...(g.responseTemplates ? { responseTemplates: g.responseTemplates } : {}) }]),
      );
    }
  }
  return top;
}

function operation(m: Method, oas3: boolean, withIntegrations: boolean, snapshot: Snapshot, schemeOf: (a: Authorizer) => string, schemes: Obj, models: ExportedModels): Obj {
  const parameters: Obj[] = Object.entries(m.requestParameters ?? {}).map(([k, required]) => {
    const [, where, name] = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(k) ?? [];
    const p: Obj = { name, in: where === 'querystring' ? 'query' : where, required: where === 'path' ? true : required };
    if (oas3) p.schema = { type: 'string' };
    else p.type = 'string';
    return p;
  });
  // The request's models: OpenAPI 3's requestBody by media type; Swagger 2's body parameter (one model) and `consumes`.
  let requestBody: Obj | undefined;
  const consumes = Object.keys(m.requestModels ?? {});
  if (oas3) {
    const content = models.content(m.requestModels);
    if (content) requestBody = { content, required: true };
  } else {
    const name = Object.values(m.requestModels ?? {})[0];
    const schema = name !== undefined ? models.use(name) : undefined;
    if (schema) parameters.push({ in: 'body', name, required: true, schema });
  }
  const responses: Obj = {};
  const produces = new Set<string>();
  for (const r of Object.values(m.methodResponses ?? {})) {
    const headers = Object.keys(r.responseParameters ?? {}).map((k) => k.replace(/^method\.response\.header\./, ''));
    const response: Obj = { description: `${r.statusCode} response` };
    if (oas3) {
      const content = models.content(r.responseModels);
      if (content) response.content = content;
    } else {
      const [type, name] = Object.entries(r.responseModels ?? {})[0] ?? [];
      const schema = name !== undefined ? models.use(name) : undefined;
      if (schema) (response.schema = schema), produces.add(type!);
    }
    if (headers.length) response.headers = Object.fromEntries(headers.map((h) => [h, oas3 ? { schema: { type: 'string' } } : { type: 'string' }]));
    responses[r.statusCode] = response;
  }
  const security: Obj[] = [];
  const authorizer = m.authorizerId ? snapshot.authorizers[m.authorizerId] : undefined;
  if (authorizer) security.push({ [schemeOf(authorizer)]: [] });
  if (m.authorizationType === 'AWS_IAM') {
    schemes.sigv4 = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    security.push({ sigv4: [] });
  }
  if (m.apiKeyRequired) {
    schemes.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
    security.push({ api_key: [] });
  }
  return {
    ...(!oas3 && consumes.length ? { consumes } : {}),
    ...(!oas3 && produces.size ? { produces: [...produces] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    ...(security.length ? { security } : {}),
    ...(withIntegrations && m.requestValidatorId && snapshot.requestValidators?.[m.requestValidatorId]
      ? { 'x-amazon-apigateway-request-validator': snapshot.requestValidators[m.requestValidatorId]!.name ?? m.requestValidatorId }
      : {}),
    ...(withIntegrations && m.methodIntegration ? { 'x-amazon-apigateway-integration': integrationExtension(m.methodIntegration) } : {}),
  };
}

function integrationExtension(i: Integration): Obj {
  const responses: Obj = {};
  for (const r of Object.values(i.integrationResponses ?? {})) {
    responses[r.selectionPattern ? r.selectionPattern : 'default'] = {
      statusCode: r.statusCode,
      ...(r.responseParameters ? { responseParameters: r.responseParameters } : {}),
      ...(r.responseTemplates ? { responseTemplates: r.responseTemplates } : {}),
    };
  }
  return {
    type: i.type.toLowerCase(),
    ...(i.httpMethod ? { httpMethod: i.httpMethod } : {}),
    ...(i.uri ? { uri: i.uri } : {}),
    ...(i.credentials ? { credentials: i.credentials } : {}),
    ...(Object.keys(responses).length ? { responses } : {}),
    ...(i.requestParameters ? { requestParameters: i.requestParameters } : {}),
    ...(i.requestTemplates ? { requestTemplates: i.requestTemplates } : {}),
    passthroughBehavior: (i.passthroughBehavior ?? 'WHEN_NO_MATCH').toLowerCase(),
    ...(i.contentHandling ? { contentHandling: i.contentHandling } : {}),
    timeoutInMillis: i.timeoutInMillis,
  };
}
