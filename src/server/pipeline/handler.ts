/**
 * The operation handler, last in the chain: typed input and a RequestContext in, typed output
 * left in the context for the encode step (which this step answers with ENCODE_OUTPUT).
 */
import type { RequestContext } from '../../services/service.js';
import type { ApiRequest, ApiResponse } from '../api.js';
import type { Step } from './context.js';

/** The answer the handler step gives: "encode ctx.output". One shared object, never sent. */
export const ENCODE_OUTPUT: ApiResponse = Object.freeze({ status: 200, headers: {}, body: '' }) as ApiResponse;

export const handlerStep: Step = async (ctx) => {
  const { req, identity } = ctx;
  const context: RequestContext = {
    requestId: req.requestId,
    operation: ctx.operationName,
    accountId: identity!.accountId,
    accessKeyId: identity!.accessKeyId,
    region: identity!.region,
    endpoint: endpointOf(req),
    path: req.path,
    query: req.query,
    sourceIp: req.sourceIp,
    headers: req.headers,
    traceHeader: headerValue(req.headers['x-amzn-trace-id']),
  };
  if (ctx.anonymous) context.anonymous = true;
  if (identity!.principalService) context.principalService = identity!.principalService;
  if (req.stream) context.payload = identity!.streaming ? { hash: identity!.payloadHash, streaming: identity!.streaming } : { hash: identity!.payloadHash };
  ctx.output = await ctx.operation!.handler(ctx.input, context);
  return ENCODE_OUTPUT;
};

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `http://host:port` as the client called it. */
function endpointOf(req: Pick<ApiRequest, 'headers'>): string {
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}
