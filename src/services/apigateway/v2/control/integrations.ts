/**
 * CreateIntegration, GetIntegration, GetIntegrations, UpdateIntegration, DeleteIntegration for
 * HTTP APIs: AWS_PROXY to a function (its ARN or the `.../functions/{arn}/invocations` form) with
 * payload 1.0 or 2.0, AWS_PROXY with an SQS subtype (mapped request parameters), and HTTP_PROXY
 * to any URL. The other types are REST/WebSocket API types and are refused here, as AWS does.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { inUri, integer, map, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { isWebSocket, LIMITS, type HttpApiDoc, type Integration } from '../model.js';
import { checkWsIntegration } from '../../ws/control/rules.js';
import { functionArnOf } from '../plane/targets.js';
import { SUBTYPES } from '../plane/sqs.js';
import { changeApi, page, partId, partMissing, readApi, sorted } from './common.js';
import { API_ID, MAX_RESULTS, NEXT_TOKEN } from './shapes.js';
import { integrationView } from './views.js';

const INTEGRATION_ID = inUri('IntegrationId');

const MEMBERS = {
  connectionId: string(),
  connectionType: string({ enum: ['INTERNET', 'VPC_LINK'] }),
  credentialsArn: string(),
  description: string(),
  integrationMethod: string(),
  integrationSubtype: string(),
  integrationUri: string(),
  payloadFormatVersion: string(),
  requestParameters: map(string(), string()),
  responseParameters: map(string(), map(string(), string())),
  // IntegerWithLengthBetween50And30000 in the model.
  timeoutInMillis: integer({ min: 50, max: 30000 }),
  // WebSocket APIs.
  contentHandlingStrategy: string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
  integrationResponseSelectionExpression: string(),
  passthroughBehavior: string({ enum: ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'] }),
  requestTemplates: map(string(), string()),
  templateSelectionExpression: string(),
};

type IntegrationInput = { [K in keyof Integration]?: Integration[K] };

export function integrationOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateIntegration: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/integrations', code: 201 },
      input: structure({ ApiId: API_ID, integrationType: required(string({ enum: ['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] })), ...MEMBERS }),
      handler: async (input, ctx) =>
        integrationView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            if (Object.keys(doc.integrations).length >= LIMITS.integrations) throw new BadRequestException(`Maximum number of integrations (${LIMITS.integrations}) reached for this API`);
            const integrationId = partId(deps, doc.integrations);
            const base: Integration = { integrationId, integrationType: 'AWS_PROXY', connectionType: 'INTERNET', payloadFormatVersion: '', timeoutInMillis: 30000 };
            const integration = applyIntegration(base, input as IntegrationInput, true, isWebSocket(doc));
            doc.integrations[integrationId] = integration;
            return integration;
          }),
        ),
    }),
    GetIntegration: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}' },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID }),
      handler: (input, ctx) => integrationView(findIntegration(ctx, readApi(deps, ctx, input.ApiId), input.IntegrationId)),
    }),
    GetIntegrations: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/integrations' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).integrations).map(integrationView), input.NextToken, input.MaxResults),
    }),
    UpdateIntegration: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}' },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID, integrationType: string({ enum: ['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] }), ...MEMBERS }),
      handler: async (input, ctx) =>
        integrationView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            const integration = applyIntegration(structuredClone(findIntegration(ctx, doc, input.IntegrationId)), input as IntegrationInput, false, isWebSocket(doc));
            doc.integrations[integration.integrationId] = integration;
            return integration;
          }),
        ),
    }),
    DeleteIntegration: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/integrations/{IntegrationId}', code: 204 },
      input: structure({ ApiId: API_ID, IntegrationId: INTEGRATION_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findIntegration(ctx, doc, input.IntegrationId);
          const user = Object.values(doc.routes).find((r) => r.target === `integrations/${input.IntegrationId}`);
          // Unconfirmed wording: AWS refuses to delete an integration a route still targets.
          if (user) throw new ConflictException(`Cannot delete integration ${input.IntegrationId}: it is the target of route ${user.routeId}`);
          delete doc.integrations[input.IntegrationId];
        });
      },
    }),
  };
}

export function findIntegration(ctx: RequestContext, doc: HttpApiDoc, id: string): Integration {
  const i = Object.hasOwn(doc.integrations, id) ? doc.integrations[id] : undefined;
  if (!i) throw partMissing(ctx, 'Integration', id);
  return i;
}

const REQUEST_KEY = /^(append|overwrite|remove):(header|querystring)\.[A-Za-z0-9._~!#$%&'*+^`|-]+$|^overwrite:path$/;
const RESPONSE_KEY = /^(append|overwrite|remove):header\.[A-Za-z0-9._~!#$%&'*+^`|-]+$|^overwrite:statuscode$/;

/** The integration with the input's changes, checked as one whole (type, URI, subtype, payload version, mappings). */
export function applyIntegration(i: Integration, input: IntegrationInput, creating: boolean, webSocket = false): Integration {
  for (const k of Object.keys(input) as (keyof IntegrationInput)[]) {
    if (k === 'integrationId' || k === 'integrationResponses' || input[k] === undefined) continue;
    (i as unknown as Record<string, unknown>)[k] = input[k];
  }
  if (webSocket) return checkWsIntegration(i);
  if (i.requestTemplates || i.templateSelectionExpression !== undefined || i.passthroughBehavior || i.contentHandlingStrategy || i.integrationResponseSelectionExpression !== undefined) {
    throw new BadRequestException('Request templates, passthrough behavior, content handling and integration response selection are supported only for WebSocket APIs');
  }
  if (i.integrationType !== 'AWS_PROXY' && i.integrationType !== 'HTTP_PROXY') {
    throw new BadRequestException(`Integration type ${i.integrationType} is not supported for HTTP APIs`);
  }
  if (i.connectionType === 'VPC_LINK') throw new BadRequestException('VPC_LINK connections are not supported by Nimbus');
  if (i.integrationType === 'HTTP_PROXY') {
    if (!i.integrationUri || !/^https?:\/\/[^/]+/i.test(i.integrationUri)) throw new BadRequestException('For HTTP_PROXY integrations, integrationUri must be a valid HTTP or HTTPS URL');
    if (!i.integrationMethod) throw new BadRequestException('IntegrationMethod is required for HTTP_PROXY integrations');
    if (!i.payloadFormatVersion) i.payloadFormatVersion = '1.0';
    if (i.payloadFormatVersion !== '1.0') throw new BadRequestException('PayloadFormatVersion must be 1.0 for HTTP_PROXY integrations');
  } else if (i.integrationSubtype !== undefined) {
    const subtype = SUBTYPES[i.integrationSubtype];
    if (!subtype) throw new BadRequestException(`Unsupported integration subtype: ${i.integrationSubtype}`);
    if (!i.payloadFormatVersion) i.payloadFormatVersion = '1.0';
    if (i.payloadFormatVersion !== '1.0') throw new BadRequestException('PayloadFormatVersion must be 1.0 for integrations with a subtype');
    const params = i.requestParameters ?? {};
    for (const k of Object.keys(params)) if (!subtype.allowed.includes(k)) throw new BadRequestException(`Invalid request parameter ${k} for integration subtype ${i.integrationSubtype}`);
    for (const k of subtype.required) if (params[k] === undefined) throw new BadRequestException(`Missing required request parameter ${k} for integration subtype ${i.integrationSubtype}`);
    if (!i.credentialsArn && creating) throw new BadRequestException('CredentialsArn is required for integrations with a subtype');
  } else {
    if (!i.integrationUri || !functionArnOf(i.integrationUri)) throw new BadRequestException('For AWS_PROXY integrations, integrationUri must be a Lambda function ARN or an API Gateway Lambda invocation URI');
    if (!i.payloadFormatVersion) throw new BadRequestException('PayloadFormatVersion is required for Lambda proxy integrations');
    if (i.payloadFormatVersion !== '1.0' && i.payloadFormatVersion !== '2.0') throw new BadRequestException('PayloadFormatVersion must be 1.0 or 2.0');
  }
  if (i.integrationSubtype === undefined && i.requestParameters) {
    for (const k of Object.keys(i.requestParameters)) if (!REQUEST_KEY.test(k)) throw new BadRequestException(`Invalid mapping expression specified: ${k}`);
  }
  for (const [status, mapping] of Object.entries(i.responseParameters ?? {})) {
    if (!/^[2-5]\d\d$/.test(status)) throw new BadRequestException(`Invalid status code in response parameters: ${status}`);
    for (const k of Object.keys(mapping)) if (!RESPONSE_KEY.test(k)) throw new BadRequestException(`Invalid mapping expression specified: ${k}`);
  }
  return i;
}
