/** Typed output ▶ wire, in the routed protocol, once the handler has answered. */
import { encodeJsonOutput, jsonAnswerType } from '../../protocols/json.js';
import { encodeQueryResponse } from '../../protocols/query.js';
import { encodeRestJsonOutput } from '../../protocols/rest-json.js';
import { encodeRestOutput } from '../../protocols/rest-xml.js';
import type { ApiResponse } from '../api.js';
import type { RequestCtx, Step } from './context.js';
import { ENCODE_OUTPUT } from './handler.js';

const XML = 'text/xml';

export const encodeStep: Step = (ctx, next) => next(ctx).then((res) => (res === ENCODE_OUTPUT ? encode(ctx) : res));

function encode(ctx: RequestCtx): ApiResponse {
  const route = ctx.route!;
  const operation = ctx.operation!;
  const output = ctx.output;
  if (route.protocol === 'rest-xml') return encodeRestOutput(operation.output, output, operation.http!, route.service.restXml!.xmlNamespace, operation.outputRoot);
  if (route.protocol === 'rest-json') return encodeRestJsonOutput(operation.output, output, operation.http!);
  if (route.protocol === 'json') {
    const spec = route.service.json!;
    return { status: 200, headers: { 'content-type': jsonAnswerType(spec, ctx.req.headers['content-type']) }, body: encodeJsonOutput(output) };
  }
  const ns = route.service.query!.xmlNamespace;
  return { status: 200, headers: { 'content-type': XML }, body: encodeQueryResponse(ctx.operationName, output, operation.output, ns, ctx.req.requestId) };
}
