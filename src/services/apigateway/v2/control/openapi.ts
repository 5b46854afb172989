/**
 * OpenAPI 3.0 definitions of HTTP APIs, both ways, with API Gateway's extensions: operations
 * become routes (`x-amazon-apigateway-any-method` is ANY, the `$default` path the `$default`
 * route), `x-amazon-apigateway-integration` their integrations, `x-amazon-apigateway-cors` the
 * CORS configuration, and security schemes with `x-amazon-apigateway-authorizer` the JWT and
 * Lambda authorizers (`x-amazon-apigateway-authtype: awsSigv4` marks IAM). Only JSON is read
 * (Nimbus has no YAML parser); an export asked for as YAML is written as JSON, which YAML 1.2
 * reads as it stands.
 */
import { BadRequestException } from '../../errors.js';
import { readDefinition } from '../../shared/definition.js';
import type { Authorizer, Cors, HttpApiDoc, Integration, Route } from '../model.js';
import { METHODS, routeKeyProblem } from '../route-keys.js';
import { sorted } from './common.js';

type Json = Record<string, unknown>;

/** Where integrations live as components (reusable by `$ref`, and unused ones on export). */
const INTEGRATIONS = 'x-amazon-apigateway-integrations';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** What an import sets on the API: everything but its id, walls, stages, deployments and tags. */
export interface Imported {
  name: string;
  description?: string;
  version?: string;
  corsConfiguration?: Cors;
  routes: Route[];
  integrations: Integration[];
  authorizers: Authorizer[];
}

/** Parses an OpenAPI 3 definition (JSON or YAML, bounded in depth); `newId` names the parts it makes. */
export function importDefinition(body: string, newId: (kind: 'route' | 'integration' | 'authorizer') => string): Imported {
  const read = readDefinition(body);
  if (!read.ok) throw new BadRequestException(`Failed to parse the definition: ${read.error}`);
  const doc = read.doc;
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) throw new BadRequestException('Only OpenAPI 3.0 definitions can be imported into HTTP APIs');
  const info = isObject(doc.info) ? doc.info : {};
  const name = str(info.title);
  if (!name) throw new BadRequestException('The definition needs info.title: it names the API');
  const out: Imported = { name, routes: [], integrations: [], authorizers: [] };
  if (str(info.description)) out.description = str(info.description)!;
  if (str(info.version)) out.version = str(info.version)!;
  const cors = doc['x-amazon-apigateway-cors'];
  if (isObject(cors)) out.corsConfiguration = corsOf(cors);

  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const byScheme = new Map<string, { authorizer?: Authorizer; iam?: boolean }>();
  for (const [schemeName, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) continue;
    if (scheme['x-amazon-apigateway-authtype'] === 'awsSigv4') {
      byScheme.set(schemeName, { iam: true });
      continue;
    }
    const ext = scheme['x-amazon-apigateway-authorizer'];
    if (!isObject(ext)) continue;
    const authorizer = authorizerOf(newId('authorizer'), schemeName, ext);
    out.authorizers.push(authorizer);
    byScheme.set(schemeName, { authorizer });
  }

  const integrations = new Map<string, Integration>();
  const named = isObject(doc.components) && isObject(doc.components[INTEGRATIONS]) ? (doc.components[INTEGRATIONS] as Json) : {};
  /** One integration per distinct extension (by its JSON), whether inline or a component. */
  const integrationFor = (ext: Json): Integration => {
    const key = JSON.stringify(ext);
    let integration = integrations.get(key);
    if (!integration) {
      integration = integrationOf(newId('integration'), ext);
      integrations.set(key, integration);
      out.integrations.push(integration);
    }
    return integration;
  };
  // Components are integrations of the API even when no route targets them (AWS exports such ones there).
  for (const ext of Object.values(named)) if (isObject(ext)) integrationFor(ext);
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [verb, op] of Object.entries(item)) {
      const method = verb === 'x-amazon-apigateway-any-method' ? 'ANY' : verb.toUpperCase();
      if (!(METHODS as readonly string[]).includes(method) || !isObject(op)) continue;
      const routeKey = path === '$default' ? '$default' : `${method} ${path}`;
      const problem = routeKeyProblem(routeKey);
      if (problem) throw new BadRequestException(problem);
      const route: Route = { routeId: newId('route'), routeKey, apiKeyRequired: false, authorizationType: 'NONE' };
      if (str(op.operationId)) route.operationName = str(op.operationId)!;
      let ext = op['x-amazon-apigateway-integration'];
      if (isObject(ext) && typeof ext.$ref === 'string') {
        const ref = ext.$ref;
        const prefix = `#/components/${INTEGRATIONS}/`;
        const target = ref.startsWith(prefix) && Object.hasOwn(named, ref.slice(prefix.length)) ? named[ref.slice(prefix.length)] : undefined;
        if (!isObject(target)) throw new BadRequestException(`Invalid integration reference ${ref}: no such integration in components.${INTEGRATIONS}`);
        ext = target;
      }
      if (isObject(ext)) route.target = `integrations/${integrationFor(ext).integrationId}`;
      const security = Array.isArray(op.security) ? op.security : Array.isArray(doc.security) ? doc.security : [];
      const first = security.find(isObject);
      if (first) {
        const [schemeName, scopes] = Object.entries(first)[0] ?? [];
        const s = schemeName !== undefined ? byScheme.get(schemeName) : undefined;
        if (!s) throw new BadRequestException(`Security scheme ${schemeName ?? ''} is not defined in components.securitySchemes`);
        if (s.iam) route.authorizationType = 'AWS_IAM';
        else if (s.authorizer) {
          route.authorizationType = s.authorizer.authorizerType === 'JWT' ? 'JWT' : 'CUSTOM';
          route.authorizerId = s.authorizer.authorizerId;
          const wanted = strings(scopes) ?? [];
          if (wanted.length) route.authorizationScopes = wanted;
        }
      }
      out.routes.push(route);
    }
  }
  return out;
}

function corsOf(c: Json): Cors {
  const out: Cors = {};
  for (const k of ['allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders'] as const) if (c[k] !== undefined) out[k] = strings(c[k]) ?? [];
  if (typeof c.allowCredentials === 'boolean') out.allowCredentials = c.allowCredentials;
  if (typeof c.maxAge === 'number') out.maxAge = c.maxAge;
  return out;
}

function integrationOf(integrationId: string, e: Json): Integration {
  const type = String(e.type ?? '').toUpperCase();
  if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') throw new BadRequestException(`Unsupported integration type ${String(e.type)} for HTTP APIs`);
  const i: Integration = {
    integrationId,
    integrationType: type,
    connectionType: 'INTERNET',
    payloadFormatVersion: str(e.payloadFormatVersion) ?? (type === 'AWS_PROXY' && !e.integrationSubtype ? '2.0' : '1.0'),
    timeoutInMillis: typeof e.timeoutInMillis === 'number' ? e.timeoutInMillis : 30000,
  };
  if (str(e.uri)) i.integrationUri = str(e.uri)!;
  if (str(e.httpMethod)) i.integrationMethod = str(e.httpMethod)!.toUpperCase();
  if (str(e.integrationSubtype)) i.integrationSubtype = str(e.integrationSubtype)!;
  if (str(e.credentials)) i.credentialsArn = str(e.credentials)!;
  if (isObject(e.requestParameters)) i.requestParameters = Object.fromEntries(Object.entries(e.requestParameters).map(([k, v]) => [k, String(v)]));
  if (isObject(e.responseParameters)) {
    i.responseParameters = Object.fromEntries(Object.entries(e.responseParameters).filter(([, v]) => isObject(v)).map(([k, v]) => [k, Object.fromEntries(Object.entries(v as Json).map(([a, b]) => [a, String(b)]))]));
  }
  if (i.timeoutInMillis < 50 || i.timeoutInMillis > 30000) throw new BadRequestException('timeoutInMillis must be between 50 and 30000');
  return i;
}

function authorizerOf(authorizerId: string, name: string, e: Json): Authorizer {
  const type = String(e.type ?? '').toLowerCase();
  const identitySource = strings(e.identitySource) ?? [];
  if (type === 'jwt') {
    const jwt = isObject(e.jwtConfiguration) ? e.jwtConfiguration : {};
    return { authorizerId, name, authorizerType: 'JWT', identitySource: identitySource.length ? identitySource : ['$request.header.Authorization'], jwtConfiguration: { issuer: str(jwt.issuer) ?? '', audience: strings(jwt.audience) ?? [] } };
  }
  if (type === 'request') {
    const a: Authorizer = { authorizerId, name, authorizerType: 'REQUEST', identitySource, authorizerUri: str(e.authorizerUri) ?? '', authorizerPayloadFormatVersion: str(e.authorizerPayloadFormatVersion) ?? '2.0', authorizerResultTtlInSeconds: typeof e.authorizerResultTtlInSeconds === 'number' ? e.authorizerResultTtlInSeconds : 0 };
    if (typeof e.enableSimpleResponses === 'boolean') a.enableSimpleResponses = e.enableSimpleResponses;
    if (str(e.authorizerCredentials)) a.authorizerCredentialsArn = str(e.authorizerCredentials)!;
    return a;
  }
  throw new BadRequestException(`Unsupported authorizer type ${String(e.type)} in security scheme ${name}`);
}

/** The API (or what a stage serves) as an OpenAPI 3.0 definition. */
export function exportDefinition(api: HttpApiDoc, parts: Pick<HttpApiDoc, 'routes' | 'integrations' | 'authorizers'>, opts: { extensions: boolean; serverUrl: string; stageName?: string }): Json {
  const paths: Record<string, Json> = {};
  const schemes: Record<string, Json> = {};
  const targeted = new Set<string>();
  for (const route of Object.values(parts.routes).sort((a, b) => a.routeKey.localeCompare(b.routeKey))) {
    const [method, path] = route.routeKey === '$default' ? ['ANY', '$default'] : (route.routeKey.split(' ', 2) as [string, string]);
    const op: Json = { responses: { default: { description: 'Default response for ' + route.routeKey } } };
    if (route.operationName) op.operationId = route.operationName;
    // As AWS exports them: a path's parameters once, on the path item.
    const params = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => ({ name: m[1], in: 'path', description: `Generated path parameter for ${m[1]}`, required: true, schema: { type: 'string' } }));
    const integrationId = route.target?.startsWith('integrations/') ? route.target.slice(13) : undefined;
    if (integrationId !== undefined) targeted.add(integrationId);
    const integration = integrationId !== undefined && Object.hasOwn(parts.integrations, integrationId) ? parts.integrations[integrationId] : undefined;
    if (opts.extensions && integration) op['x-amazon-apigateway-integration'] = integrationExtension(integration);
    const authorizer = route.authorizerId !== undefined && Object.hasOwn(parts.authorizers, route.authorizerId) ? parts.authorizers[route.authorizerId] : undefined;
    if (route.authorizationType === 'AWS_IAM') {
      op.security = [{ sigv4: [] }];
      schemes.sigv4 = { type: 'apiKey', name: 'Authorization', in: 'header', ...(opts.extensions ? { 'x-amazon-apigateway-authtype': 'awsSigv4' } : {}) };
    } else if (authorizer) {
      op.security = [{ [authorizer.name]: route.authorizationScopes ?? [] }];
      schemes[authorizer.name] = securityScheme(authorizer, opts.extensions);
    }
    const verb = method === 'ANY' ? (opts.extensions ? 'x-amazon-apigateway-any-method' : undefined) : method.toLowerCase();
    if (verb) {
      const item = (paths[path] ??= {});
      item[verb] = op;
      if (params.length) item.parameters = params;
    }
  }
  // Integrations no exported route targets: AWS keeps them as components, named unusedIntegration_{id}.
  const unused = opts.extensions ? sorted(parts.integrations).filter((i) => !targeted.has(i.integrationId)) : [];
  const components: Json = {
    ...(Object.keys(schemes).length ? { securitySchemes: schemes } : {}),
    ...(unused.length ? { [INTEGRATIONS]: Object.fromEntries(unused.map((i) => [`unusedIntegration_${i.integrationId}`, integrationExtension(i)])) } : {}),
  };
  const basePath = opts.stageName && opts.stageName !== '$default' ? opts.stageName : '';
  return {
    openapi: '3.0.1',
    info: { title: api.name, ...(api.description ? { description: api.description } : {}), version: api.version ?? new Date(api.createdDate).toISOString().replace(/\.\d+Z$/, 'Z') },
    servers: [{ url: `${opts.serverUrl}/{basePath}`, variables: { basePath: { default: basePath } } }],
    paths,
    ...(Object.keys(components).length ? { components } : {}),
    ...(opts.extensions && api.corsConfiguration ? { 'x-amazon-apigateway-cors': api.corsConfiguration } : {}),
    ...(opts.extensions ? { 'x-amazon-apigateway-importexport-version': '1.0' } : {}),
  };
}

function integrationExtension(i: Integration): Json {
  return {
    type: i.integrationType.toLowerCase(),
    ...(i.integrationUri ? { uri: i.integrationUri } : {}),
    ...(i.integrationMethod ? { httpMethod: i.integrationMethod } : {}),
    ...(i.integrationSubtype ? { integrationSubtype: i.integrationSubtype } : {}),
    ...(i.credentialsArn ? { credentials: i.credentialsArn } : {}),
    ...(i.requestParameters ? { requestParameters: i.requestParameters } : {}),
    ...(i.responseParameters ? { responseParameters: i.responseParameters } : {}),
    payloadFormatVersion: i.payloadFormatVersion,
    connectionType: i.connectionType,
    timeoutInMillis: i.timeoutInMillis,
  };
}

function securityScheme(a: Authorizer, extensions: boolean): Json {
  if (a.authorizerType === 'JWT') {
    return { type: 'oauth2', flows: {}, ...(extensions ? { 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: a.identitySource.join(','), jwtConfiguration: a.jwtConfiguration } } : {}) };
  }
  const ext = {
    type: 'request',
    identitySource: a.identitySource.join(','),
    authorizerUri: a.authorizerUri,
    authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds ?? 0,
    ...(a.enableSimpleResponses !== undefined ? { enableSimpleResponses: a.enableSimpleResponses } : {}),
    ...(a.authorizerCredentialsArn ? { authorizerCredentials: a.authorizerCredentialsArn } : {}),
  };
  return { type: 'apiKey', name: a.identitySource[0]?.split('.').pop() ?? 'Authorization', in: 'header', ...(extensions ? { 'x-amazon-apigateway-authorizer': ext } : {}) };
}
