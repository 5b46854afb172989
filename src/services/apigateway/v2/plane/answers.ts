/**
 * The answers an HTTP API gives of its own (not its integration's), with the bodies AWS sends:
 * `{"message":"Not Found"}`, `{"message":"Internal Server Error"}`, ... Every answer carries
 * `apigw-requestid` (added by the data plane's entry point).
 */
import type { ApiResponse } from '../../../../server/api.js';

/** API Gateway's own answers by their message, for `$context.error.message` in access logs. */
export const ownAnswers = new WeakMap<ApiResponse, string>();

export function message(status: number, text: string, headers: Record<string, string> = {}): ApiResponse {
  const res = { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message: text }) };
  ownAnswers.set(res, text);
  return res;
}

export const notFound = () => message(404, 'Not Found');
export const internalError = () => message(500, 'Internal Server Error');
/** A function's error or an answer API Gateway cannot read. */
export const badGateway = () => message(502, 'Internal Server Error');
/** A function that did not answer within the integration's timeout (unconfirmed: HTTP APIs answer 503 as far as we know). */
export const serviceUnavailable = () => message(503, 'Service Unavailable');
/** An HTTP backend that did not answer within the integration's timeout (unconfirmed wording). */
export const gatewayTimeout = () => message(504, 'Gateway Timeout');
export const forbidden = () => message(403, 'Forbidden');
export const unauthorized = () => message(401, 'Unauthorized');
export const tooManyRequests = () => message(429, 'Too Many Requests');
export const tooLarge = () => message(413, 'Request Entity Too Large');
