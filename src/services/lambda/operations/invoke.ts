/** Invoke: RequestResponse (wait for the result), Event (queued durably, answered 202), DryRun (checks only). */
import { RestAnswer } from '../../../protocols/rest.js';
import { blob, string } from '../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../service.js';
import type { AsyncInvocations } from '../engine/async-invokes.js';
import { MAX_ASYNC_PAYLOAD } from '../engine/async-invokes.js';
import type { Invoker } from '../engine/invoker.js';
import { parseFunctionName } from '../engine/names.js';
import { InvalidRequestContentException, RequestTooLargeException } from '../errors.js';
import { AwsError } from '../../../protocols/errors.js';
import { FUNCTION_NAME, inHeader, op, QUALIFIER } from './define.js';

export function invokeOperations(invoker: Invoker, asyncInvokes: AsyncInvocations): Record<string, Operation> {
  return {
    Invoke: op(
      { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/invocations' },
      {
        FunctionName: FUNCTION_NAME,
        Qualifier: QUALIFIER,
        InvocationType: inHeader(string(), 'X-Amz-Invocation-Type'),
        LogType: inHeader(string(), 'X-Amz-Log-Type'),
        ClientContext: inHeader(string(), 'X-Amz-Client-Context'),
        Payload: { shape: blob(), location: 'payload' },
      },
      async (input: { FunctionName: string; Qualifier?: string; InvocationType?: string; LogType?: string; ClientContext?: string; Payload?: Buffer }, ctx: RequestContext) => {
        const type = input.InvocationType ?? 'RequestResponse';
        if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
          throw new AwsError('ValidationException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
        }
        const ref = parseFunctionName(input.FunctionName, ctx, input.Qualifier);
        const target = invoker.resolve(ref);
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
    ),
  };
}

/** Lambda refuses a payload that is not JSON before running anything. */
function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new InvalidRequestContentException(`Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`);
  }
}
