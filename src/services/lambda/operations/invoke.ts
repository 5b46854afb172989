/** Invoke: RequestResponse (wait for the result), Event (queued durably, answered 202), DryRun (checks only). */
import { defineOperation } from '../../../protocols/define-operation.js';
import { RestAnswer } from '../../../protocols/rest.js';
import type { Operation } from '../../service.js';
import type { AsyncInvocations } from '../engine/async-invokes.js';
import { MAX_ASYNC_PAYLOAD } from '../engine/async-invokes.js';
import { AwsError } from '../../../protocols/errors.js';
import type { Invoker, ResolvedFunction } from '../engine/invoker.js';
import { notAuthorized, parseFunctionName, type FunctionRef } from '../engine/names.js';
import { permitsAccount } from '../engine/service-invoke.js';
import { InvalidRequestContentException, RequestTooLargeException } from '../errors.js';
import { blob, inHeader, inPayload, NAMESPACED_FUNCTION_NAME, QUALIFIER, string, structure } from './shapes.js';

export function invokeOperations(invoker: Invoker, asyncInvokes: AsyncInvocations): Record<string, Operation> {
  return {
    Invoke: defineOperation({
      http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/invocations' },
      input: structure({
        FunctionName: NAMESPACED_FUNCTION_NAME,
        // The service's order in its message, not the model's.
        InvocationType: inHeader(string({ enum: ['Event', 'RequestResponse', 'DryRun'] }), 'X-Amz-Invocation-Type'),
        LogType: inHeader(string({ enum: ['None', 'Tail'] }), 'X-Amz-Log-Type'),
        ClientContext: inHeader(string(), 'X-Amz-Client-Context'),
        Payload: inPayload(blob()),
        Qualifier: QUALIFIER,
      }),
      handler: async (input, ctx) => {
        const type = input.InvocationType ?? 'RequestResponse';
        const ref = parseFunctionName(input.FunctionName, ctx, input.Qualifier, { otherAccounts: true });
        const target = ref.accountId === ctx.accountId ? invoker.resolve(ref) : grantedTarget(invoker, ref, ctx.accountId, input.FunctionName);
        const payload = input.Payload && input.Payload.length ? input.Payload : Buffer.from('{}');
        checkJson(payload);
        if (type === 'DryRun') return new RestAnswer(204, { 'x-amz-executed-version': target.executedVersion });
        if (type === 'Event') {
          if (payload.length > MAX_ASYNC_PAYLOAD) throw new RequestTooLargeException(`${payload.length} byte payload is too large for the Event invocation type (limit ${MAX_ASYNC_PAYLOAD} bytes)`);
          await asyncInvokes.enqueue(target, ref.qualifier, payload, ctx.requestId);
          return new RestAnswer(202, {});
        }
        const result = await invoker.invoke(target, payload, { requestId: ctx.requestId, traceId: ctx.traceHeader, clientContext: input.ClientContext });
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': target.executedVersion };
        if (result.functionError) headers['x-amz-function-error'] = result.functionError;
        if (input.LogType === 'Tail') headers['x-amz-log-result'] = Buffer.from(result.logTail).toString('base64');
        return new RestAnswer(200, headers, result.payload);
      },
    }),
  };
}

/**
 * Another account's function, when its resource policy grants the caller lambda:InvokeFunction;
 * a function that is missing or not granted gets the same AccessDeniedException (no existence leak).
 */
function grantedTarget(invoker: Invoker, ref: FunctionRef, callerAccount: string, raw: string): ResolvedFunction {
  let target: ResolvedFunction;
  try {
    target = invoker.resolve(ref);
  } catch (e) {
    if (e instanceof AwsError && e.status === 404) throw notAuthorized(raw);
    throw e;
  }
  if (!permitsAccount(target.fn, ref.qualifier, callerAccount)) throw notAuthorized(raw);
  return target;
}

/** Lambda refuses a payload that is not JSON before running anything. */
function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new InvalidRequestContentException(`Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`);
  }
}
