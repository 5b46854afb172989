/**
 * Synchronous invocations on behalf of another service (API Gateway integrations): the
 * function's resource policy decides, as on AWS, whether that service may invoke it for the
 * source it names (`AWS:SourceArn`, `AWS:SourceAccount` conditions), and the answer comes back
 * as a result the calling service words in its own terms.
 */
import { AwsError } from '../../../protocols/errors.js';
import type { InternalCalls, LambdaInvokeResult } from '../../../lib/internal.js';
import { conditionsHold } from '../../../lib/policy-conditions.js';
import { policyDecision } from '../../../lib/policy.js';
import { TooManyRequestsException } from '../errors.js';
import type { FunctionRecord } from '../model.js';
import type { Invoker } from './invoker.js';
import { functionArn, parseFunctionArn, type FunctionRef } from './names.js';
import type { Registry } from './registry.js';

type Args = Parameters<InternalCalls['lambda.invoke']>[0];

export function serviceInvoke(registry: Registry, invoker: Invoker): InternalCalls['lambda.invoke'] {
  return async (args: Args): Promise<LambdaInvokeResult> => {
    const ref = parseFunctionArn(args.functionArn);
    const fn = ref && registry.find(ref);
    if (!ref || !fn) return { kind: 'missing', message: `Function not found: ${args.functionArn}` };
    const allowed = args.viaRole ? fn.accountId === args.sourceAccount : permits(fn, ref, args);
    if (!allowed) {
      return {
        kind: 'denied',
        message: `The resource policy of ${functionArn(fn, ref.qualifier)} does not allow ${args.from} to call lambda:InvokeFunction for ${args.sourceArn} (add it with AddPermission)`,
      };
    }
    try {
      const result = await invoker.invoke(invoker.resolve(ref), args.payload, { requestId: args.requestId, ...(args.traceId ? { traceId: args.traceId } : {}) });
      return { kind: 'ok', payload: result.payload, ...(result.functionError ? { functionError: result.functionError } : {}), ...(result.errorType ? { errorType: result.errorType } : {}) };
    } catch (e) {
      if (e instanceof TooManyRequestsException) return { kind: 'throttled', message: e.message };
      if (e instanceof AwsError) return { kind: e.status === 404 ? 'missing' : 'failed', message: e.message };
      throw e;
    }
  };
}

/**
 * Whether the function's resource policy lets another account invoke it (AddPermission with
 * that account, or `*`, as Principal); its conditions are evaluated with the caller's account.
 */
export function permitsAccount(fn: FunctionRecord, qualifier: string | undefined, callerAccount: string): boolean {
  const statements = Object.values(fn.policy);
  if (statements.length === 0) return false;
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const request = { principalAccount: callerAccount, action: 'lambda:InvokeFunction', resource: functionArn(fn, qualifier) };
  return policyDecision(policy, request, (c, unknown) => conditionsHold(c, { 'aws:SourceAccount': callerAccount, 'aws:PrincipalAccount': callerAccount }, unknown)) === 'allow';
}

/** Whether the function's policy allows the service to invoke it (an alias's or version's ARN is its own resource). */
function permits(fn: FunctionRecord, ref: FunctionRef, args: Args): boolean {
  const statements = Object.values(fn.policy);
  if (statements.length === 0) return false;
  const keys = { 'aws:SourceArn': args.sourceArn, 'aws:SourceAccount': args.sourceAccount };
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const request = { principalAccount: '', principalService: args.from, action: 'lambda:InvokeFunction', resource: functionArn(fn, ref.qualifier) };
  return policyDecision(policy, request, (c, unknown) => conditionsHold(c, keys, unknown)) === 'allow';
}
