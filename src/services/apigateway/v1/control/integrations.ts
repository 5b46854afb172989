/**
 * A method's integration (PutIntegration, GetIntegration, UpdateIntegration, DeleteIntegration)
 * and its integration responses: what a request becomes on its way to the backend (Lambda,
 * another AWS service, an HTTP endpoint, or a MOCK), and how the answer is mapped back.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { inUri, integer, list, map, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException } from '../../errors.js';
import type { Integration, IntegrationResponse, Method, RestApiDoc } from '../model.js';
import { apiIdMember, changeApi, defined, methodOf, noIntegration, noResponse, ownApi } from './common.js';
import { applyPatch, mapAt, patchMember, scalar, setAt } from './patch.js';

export const integrationView = (i: Integration): Record<string, unknown> => defined({ ...i });

/** A Lambda function's ARN from an integration or authorizer URI (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`). */
export function lambdaArnOf(uri: string | undefined): string | undefined {
  const m = /^arn:aws:apigateway:[^:]+:lambda:path\/2015-03-31\/functions\/(arn:aws:lambda:[^/]+)\/invocations$/.exec(uri ?? '');
  return m?.[1];
}

function checkIntegration(i: Integration): void {
  if (i.timeoutInMillis < 50 || i.timeoutInMillis > 29000) throw new BadRequestException('Timeout should be between 50 ms and 29000 ms');
  if (i.passthroughBehavior !== undefined && !['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'].includes(i.passthroughBehavior)) {
    throw new BadRequestException(`Invalid passthrough behavior specified: ${i.passthroughBehavior}. Valid options are WHEN_NO_MATCH,WHEN_NO_TEMPLATES,NEVER`);
  }
  if (i.type === 'MOCK') return;
  if (!i.httpMethod) throw new BadRequestException('Enumeration value for HttpMethod must be non-empty');
  if (i.type === 'HTTP' || i.type === 'HTTP_PROXY') {
    if (!/^https?:\/\/[^/]+/i.test(i.uri ?? '')) throw new BadRequestException('Invalid HTTP endpoint specified for URI');
    return;
  }
  if (!/^arn:aws:apigateway:[^:]+:[^:]+:(path|action)\/.+/.test(i.uri ?? '')) throw new BadRequestException('AWS ARN for integration must contain path or action');
  if (i.type === 'AWS_PROXY' && !lambdaArnOf(i.uri)) throw new BadRequestException("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
}

const integrationMembers = { restApiId: apiIdMember, resourceId: inUri('resourceId'), requestHttpMethod: inUri('httpMethod') };

function integrationOf(api: RestApiDoc, i: { resourceId: string; requestHttpMethod: string }): { m: Method; integration: Integration } {
  const m = methodOf(api, i.resourceId, i.requestHttpMethod);
  if (!m.methodIntegration) throw noIntegration();
  return { m, integration: m.methodIntegration };
}

export function integrationOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    PutIntegration: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration', code: 201 },
      input: structure({
        ...integrationMembers,
        type: required(string({ enum: ['HTTP', 'AWS', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] })),
        httpMethod: string(),
        uri: string(),
        connectionType: string({ enum: ['INTERNET', 'VPC_LINK'] }),
        connectionId: string(),
        credentials: string(),
        requestParameters: map(string(), string()),
        requestTemplates: map(string(), string()),
        passthroughBehavior: string(),
        cacheNamespace: string(),
        cacheKeyParameters: list(string()),
        contentHandling: string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
        timeoutInMillis: integer(),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const m = methodOf(api, input.resourceId, input.requestHttpMethod);
          const i: Integration = defined({
            type: input.type,
            httpMethod: input.type === 'MOCK' ? undefined : input.httpMethod,
            uri: input.uri,
            connectionType: input.type === 'MOCK' ? undefined : (input.connectionType ?? 'INTERNET'),
            credentials: input.credentials,
            requestParameters: input.requestParameters,
            requestTemplates: input.requestTemplates,
            passthroughBehavior: input.passthroughBehavior ?? 'WHEN_NO_MATCH',
            contentHandling: input.contentHandling,
            timeoutInMillis: input.timeoutInMillis ?? 29000,
            cacheNamespace: input.cacheNamespace ?? input.resourceId,
            cacheKeyParameters: input.cacheKeyParameters ?? [],
            // A new integration keeps the responses already declared for the method's old one.
            integrationResponses: m.methodIntegration?.integrationResponses,
          });
          checkIntegration(i);
          m.methodIntegration = i;
          return integrationView(i);
        }),
    }),

    GetIntegration: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration' },
      input: structure(integrationMembers),
      handler: (input, ctx) => integrationView(integrationOf(ownApi(deps, ctx, input.restApiId), input).integration),
    }),

    UpdateIntegration: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration' },
      input: structure({ ...integrationMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const { integration } = integrationOf(api, input);
          applyPatch(integration, input.patchOperations, [
            scalar('/uri'),
            scalar('/httpMethod'),
            scalar('/credentials'),
            scalar('/passthroughBehavior'),
            scalar('/contentHandling'),
            scalar('/connectionType'),
            scalar('/cacheNamespace'),
            scalar('/timeoutInMillis', 'integer'),
            mapAt('/requestParameters'),
            mapAt('/requestTemplates'),
            setAt('/cacheKeyParameters'),
          ]);
          checkIntegration(integration);
          return integrationView(integration);
        }),
    }),

    DeleteIntegration: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration', code: 204 },
      input: structure(integrationMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          delete integrationOf(api, input).m.methodIntegration;
        });
        return undefined;
      },
    }),

    ...integrationResponseOperations(deps),
  };
}

const responseMembers = { ...integrationMembers, statusCode: inUri('statusCode') };

function integrationResponseOperations(deps: GatewayDeps): Record<string, Operation> {
  const responseOf = (api: RestApiDoc, i: { resourceId: string; requestHttpMethod: string; statusCode: string }) => {
    const { integration } = integrationOf(api, i);
    const r = integration.integrationResponses && Object.hasOwn(integration.integrationResponses, i.statusCode) ? integration.integrationResponses[i.statusCode] : undefined;
    if (!r) throw noResponse();
    return { integration, r };
  };
  return {
    PutIntegrationResponse: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}', code: 201 },
      input: structure({
        ...responseMembers,
        selectionPattern: string(),
        responseParameters: map(string(), string()),
        responseTemplates: map(string(), string()),
        contentHandling: string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
      }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const { m, integration } = integrationOf(api, input);
          // The status must be one the method declares a response for.
          if (!m.methodResponses || !Object.hasOwn(m.methodResponses, input.statusCode)) throw noResponse();
          checkPattern(input.selectionPattern);
          const r: IntegrationResponse = defined({
            statusCode: input.statusCode,
            selectionPattern: input.selectionPattern,
            responseParameters: input.responseParameters,
            responseTemplates: input.responseTemplates,
            contentHandling: input.contentHandling,
          });
          (integration.integrationResponses ??= {})[input.statusCode] = r;
          return r;
        }),
    }),
    GetIntegrationResponse: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}' },
      input: structure(responseMembers),
      handler: (input, ctx) => responseOf(ownApi(deps, ctx, input.restApiId), input).r,
    }),
    UpdateIntegrationResponse: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}' },
      input: structure({ ...responseMembers, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const { r } = responseOf(api, input);
          applyPatch(r, input.patchOperations, [scalar('/selectionPattern'), scalar('/contentHandling'), mapAt('/responseParameters'), mapAt('/responseTemplates')]);
          checkPattern(r.selectionPattern);
          return r;
        }),
    }),
    DeleteIntegrationResponse: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}', code: 204 },
      input: structure(responseMembers),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          delete responseOf(api, input).integration.integrationResponses![input.statusCode];
        });
        return undefined;
      },
    }),
  };
}

/** A selection pattern is a Java regular expression; one JavaScript cannot compile is refused. */
function checkPattern(p: string | undefined): void {
  if (p === undefined || p === '') return;
  try {
    new RegExp(p);
  } catch {
    throw new BadRequestException(`Invalid selection pattern specified: ${p}`);
  }
}
