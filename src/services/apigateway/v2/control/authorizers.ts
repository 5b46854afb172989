/**
 * CreateAuthorizer, GetAuthorizer, GetAuthorizers, UpdateAuthorizer, DeleteAuthorizer: JWT
 * authorizers (issuer and audience, identity source `$request.header.Authorization` by default)
 * and REQUEST authorizers (a function; payload 1.0 or 2.0, simple responses with 2.0, a cached
 * result for up to an hour keyed by the identity sources).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inUri, integer, list, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { isWebSocket, LIMITS, type Authorizer, type HttpApiDoc } from '../model.js';
import { checkWsAuthorizer } from '../../ws/control/rules.js';
import { functionArnOf } from '../plane/targets.js';
import { changeApi, page, partId, partMissing, readApi, sorted } from './common.js';
import { API_ID, MAX_RESULTS, NEXT_TOKEN } from './shapes.js';

const AUTHORIZER_ID = inUri('AuthorizerId');

const MEMBERS = {
  authorizerCredentialsArn: string(),
  authorizerPayloadFormatVersion: string(),
  authorizerResultTtlInSeconds: integer({ min: 0, max: 3600 }),
  authorizerUri: string({ max: 2048 }),
  enableSimpleResponses: boolean(),
  identitySource: list(string()),
  identityValidationExpression: string(),
  jwtConfiguration: structure({ audience: list(string()), issuer: string() }),
};

type AuthorizerInput = { [K in keyof Authorizer]?: Authorizer[K] };

export function authorizerOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateAuthorizer: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/authorizers', code: 201 },
      input: structure({
        ApiId: API_ID,
        authorizerType: required(string({ enum: ['REQUEST', 'JWT'] })),
        name: required(string({ min: 1, max: 128 })),
        ...MEMBERS,
      }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          if (Object.keys(doc.authorizers).length >= LIMITS.authorizers) throw new BadRequestException(`Maximum number of authorizers (${LIMITS.authorizers}) reached for this API`);
          const authorizerId = partId(deps, doc.authorizers, 6);
          const a = applyAuthorizer({ authorizerId, name: input.name, authorizerType: input.authorizerType, identitySource: [] }, input as AuthorizerInput, true, isWebSocket(doc));
          doc.authorizers[authorizerId] = a;
          return { ...a };
        }),
    }),
    GetAuthorizer: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/authorizers/{AuthorizerId}' },
      input: structure({ ApiId: API_ID, AuthorizerId: AUTHORIZER_ID }),
      handler: (input, ctx) => ({ ...findAuthorizer(ctx, readApi(deps, ctx, input.ApiId), input.AuthorizerId) }),
    }),
    GetAuthorizers: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/authorizers' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).authorizers), input.NextToken, input.MaxResults),
    }),
    UpdateAuthorizer: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/authorizers/{AuthorizerId}' },
      input: structure({ ApiId: API_ID, AuthorizerId: AUTHORIZER_ID, authorizerType: string({ enum: ['REQUEST', 'JWT'] }), name: string({ min: 1, max: 128 }), ...MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          const a = applyAuthorizer(structuredClone(findAuthorizer(ctx, doc, input.AuthorizerId)), input as AuthorizerInput, false, isWebSocket(doc));
          const user = Object.values(doc.routes).find((r) => r.authorizerId === a.authorizerId && (r.authorizationType === 'JWT') !== (a.authorizerType === 'JWT'));
          if (user) throw new BadRequestException(`Authorizer type ${a.authorizerType} does not match the authorization type of route ${user.routeId}`);
          doc.authorizers[a.authorizerId] = a;
          return { ...a };
        }),
    }),
    DeleteAuthorizer: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/authorizers/{AuthorizerId}', code: 204 },
      input: structure({ ApiId: API_ID, AuthorizerId: AUTHORIZER_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findAuthorizer(ctx, doc, input.AuthorizerId);
          const user = Object.values(doc.routes).find((r) => r.authorizerId === input.AuthorizerId);
          // Unconfirmed wording: AWS refuses to delete an authorizer a route still uses.
          if (user) throw new ConflictException(`Cannot delete authorizer ${input.AuthorizerId}: it is used by route ${user.routeId}`);
          delete doc.authorizers[input.AuthorizerId];
        });
      },
    }),
  };
}

export function findAuthorizer(ctx: RequestContext, doc: HttpApiDoc, id: string): Authorizer {
  const a = Object.hasOwn(doc.authorizers, id) ? doc.authorizers[id] : undefined;
  if (!a) throw partMissing(ctx, 'Authorizer', id);
  return a;
}

const SOURCE = /^\$(request\.(header|querystring)\.[^\s,]+|context\.[A-Za-z0-9.]+|stageVariables\.[A-Za-z0-9_]+)$/;

/** The authorizer with the input's changes, checked as one whole (JWT configuration, function URI, identity sources). */
export function applyAuthorizer(a: Authorizer, input: AuthorizerInput, creating: boolean, webSocket = false): Authorizer {
  for (const k of Object.keys(input) as (keyof AuthorizerInput)[]) {
    if (k === 'authorizerId' || input[k] === undefined) continue;
    (a as unknown as Record<string, unknown>)[k] = input[k];
  }
  if (webSocket) return checkWsAuthorizer(a);
  if (a.authorizerType === 'JWT') {
    if (!a.jwtConfiguration?.issuer) throw new BadRequestException('JwtConfiguration with an Issuer is required for JWT authorizers');
    if (!/^https:\/\/|^http:\/\//.test(a.jwtConfiguration.issuer)) throw new BadRequestException(`Invalid issuer ${a.jwtConfiguration.issuer}: it must be an https URL`);
    if (!a.jwtConfiguration.audience?.length) throw new BadRequestException('JwtConfiguration requires at least one Audience');
    if (creating && a.identitySource.length === 0) a.identitySource = ['$request.header.Authorization'];
    if (a.identitySource.length !== 1 || !/^\$request\.(header|querystring)\./.test(a.identitySource[0]!)) throw new BadRequestException('A JWT authorizer takes exactly one identity source: $request.header.name or $request.querystring.name');
  } else {
    if (!a.authorizerUri || !functionArnOf(a.authorizerUri)) throw new BadRequestException('AuthorizerUri must be a Lambda function invocation URI for REQUEST authorizers');
    if (a.authorizerPayloadFormatVersion !== '1.0' && a.authorizerPayloadFormatVersion !== '2.0') throw new BadRequestException('AuthorizerPayloadFormatVersion is required for REQUEST authorizers: 1.0 or 2.0');
    if (a.enableSimpleResponses && a.authorizerPayloadFormatVersion !== '2.0') throw new BadRequestException('Simple responses are supported only with authorizer payload format version 2.0');
    if (a.authorizerResultTtlInSeconds === undefined) a.authorizerResultTtlInSeconds = 0;
    if (a.authorizerResultTtlInSeconds > 0 && a.identitySource.length === 0) throw new BadRequestException('Identity sources are required when authorizer caching is enabled');
  }
  for (const s of a.identitySource) if (!SOURCE.test(s)) throw new BadRequestException(`Invalid identity source: ${s}`);
  return a;
}
