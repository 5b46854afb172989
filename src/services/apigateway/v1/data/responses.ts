/**
 * Gateway responses: the answers API Gateway itself gives (missing resource, refused key,
 * throttled, a broken integration), each with AWS's default status, message and
 * `x-amzn-ErrorType`, and customisable per API (PutGatewayResponse) by type, falling back to
 * DEFAULT_4XX / DEFAULT_5XX: status, header values and body template.
 */
import type { ApiResponse } from '../../../../server/api.js';
import { renderTemplate, TemplateError } from '../../shared/vtl.js';
import type { GatewayResponse } from '../model.js';

export const RESPONSE_TYPES: Record<string, { status: number; message: string | null; errorType: string }> = {
  ACCESS_DENIED: { status: 403, message: 'User is not authorized to access this resource', errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, message: null, errorType: 'AuthorizerFailureException' },
  BAD_REQUEST_PARAMETERS: { status: 400, message: 'Missing required request parameters', errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  DEFAULT_4XX: { status: 400, message: 'Bad Request', errorType: 'BadRequestException' },
  DEFAULT_5XX: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  EXPIRED_TOKEN: { status: 403, message: 'The security token included in the request is expired', errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, message: 'The request signature we calculated does not match the signature you provided.', errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: 'RequestTooLongException' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Not Found', errorType: 'NotFoundException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type', errorType: 'UnsupportedMediaTypeException' },
  WAF_FILTERED: { status: 403, message: 'Forbidden', errorType: 'WAFFilteredException' },
};

export type ResponseType = keyof typeof RESPONSE_TYPES;

/** API Gateway's own answer of `type`, with the API's customisation of it (or of DEFAULT_4XX/5XX). */
export function gatewayResponse(
  type: string,
  custom: Record<string, GatewayResponse>,
  ctx: { requestId: string; message?: string | null; validationErrorString?: string; context?: Record<string, unknown>; stageVariables?: Record<string, string> },
): ApiResponse {
  const def = RESPONSE_TYPES[type] ?? RESPONSE_TYPES.DEFAULT_5XX!;
  const message = ctx.message !== undefined ? ctx.message : def.message;
  const fallback = def.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const own = Object.hasOwn(custom, type) ? custom[type] : undefined;
  const family = Object.hasOwn(custom, fallback) ? custom[fallback] : undefined;
  const status = Number(own?.statusCode ?? def.status);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-errortype': def.errorType };
  for (const g of [family, own]) {
    for (const [k, v] of Object.entries(g?.responseParameters ?? {})) {
      const m = /^gatewayresponse\.header\.(.+)$/.exec(k);
      // Static values are quoted ('value'); values taken from the request are not supported here.
      if (m && /^'.*'$/.test(v)) headers[m[1]!.toLowerCase()] = v.slice(1, -1);
    }
  }
  const template = own?.responseTemplates?.['application/json'] ?? family?.responseTemplates?.['application/json'];
  const messageString = JSON.stringify(message);
  // AWS writes its internal errors with a space after the colon (`{"message": "Internal server error"}`).
  const internal = type === 'API_CONFIGURATION_ERROR' || type === 'DEFAULT_5XX';
  let body = internal ? `{"message": ${messageString}}` : `{"message":${messageString}}`;
  if (template !== undefined) {
    try {
      const context = { ...(ctx.context ?? {}), requestId: ctx.requestId, error: { message: message ?? '', messageString, responseType: type, validationErrorString: ctx.validationErrorString ?? '' } };
      body = renderTemplate(template, { body: '', params: { path: {}, querystring: {}, header: {} }, context, stageVariables: ctx.stageVariables ?? {} });
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      // A gateway response template that fails leaves the default body.
    }
  }
  return { status, headers, body };
}
