/** Concurrency, asynchronous invoke configuration, tags, permissions and account settings. */
import { inQuery, inUri, list, string } from '../../../protocols/shapes.js';
import type { Operation } from '../../service.js';
import { parseFunctionName } from '../engine/names.js';
import type { Registry } from '../engine/registry.js';
import { ACCOUNT_CONCURRENCY, type Settings } from '../engine/settings.js';
import { FUNCTION_NAME, MARKER, MAX_ITEMS, op, page, QUALIFIER } from './define.js';

const EVENT_INVOKE_URI = '/2019-09-25/functions/{FunctionName}/event-invoke-config';
const EVENT_INVOKE_MEMBERS = { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER, MaximumRetryAttempts: 'integer', MaximumEventAgeInSeconds: 'integer', DestinationConfig: 'doc' } as const;

export function settingsOperations(settings: Settings, registry: Registry): Record<string, Operation> {
  const eventConfig = (input: Record<string, unknown>) => ({
    MaximumRetryAttempts: input.MaximumRetryAttempts as number | undefined,
    MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds as number | undefined,
    DestinationConfig: input.DestinationConfig as never,
  });
  return {
    PutFunctionConcurrency: op(
      { method: 'PUT', uri: '/2017-10-31/functions/{FunctionName}/concurrency' },
      { FunctionName: FUNCTION_NAME, ReservedConcurrentExecutions: 'integer!' },
      async (input, ctx) => ({ ReservedConcurrentExecutions: await settings.putConcurrency(parseFunctionName(input.FunctionName, ctx), input.ReservedConcurrentExecutions) }),
    ),
    DeleteFunctionConcurrency: op({ method: 'DELETE', uri: '/2017-10-31/functions/{FunctionName}/concurrency', code: 204 }, { FunctionName: FUNCTION_NAME }, async (input, ctx) => {
      await settings.deleteConcurrency(parseFunctionName(input.FunctionName, ctx));
    }),
    GetFunctionConcurrency: op({ method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/concurrency' }, { FunctionName: FUNCTION_NAME }, (input, ctx) => {
      const fn = registry.get(parseFunctionName(input.FunctionName, ctx));
      return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
    }),
    PutFunctionEventInvokeConfig: op({ method: 'PUT', uri: EVENT_INVOKE_URI }, EVENT_INVOKE_MEMBERS, (input, ctx) =>
      settings.putEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier), eventConfig(input), false),
    ),
    UpdateFunctionEventInvokeConfig: op({ method: 'POST', uri: EVENT_INVOKE_URI }, EVENT_INVOKE_MEMBERS, (input, ctx) =>
      settings.putEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier), eventConfig(input), true),
    ),
    GetFunctionEventInvokeConfig: op({ method: 'GET', uri: EVENT_INVOKE_URI }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, (input, ctx) =>
      settings.getEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier)),
    ),
    DeleteFunctionEventInvokeConfig: op({ method: 'DELETE', uri: EVENT_INVOKE_URI, code: 204 }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, async (input, ctx) => {
      await settings.deleteEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
    }),
    ListFunctionEventInvokeConfigs: op(
      { method: 'GET', uri: `${EVENT_INVOKE_URI}/list` },
      { FunctionName: FUNCTION_NAME, Marker: MARKER, MaxItems: MAX_ITEMS },
      (input, ctx) => {
        return page('FunctionEventInvokeConfigs', settings.listEventInvokeConfigs(parseFunctionName(input.FunctionName, ctx)), input.Marker, input.MaxItems);
      },
    ),
    TagResource: op({ method: 'POST', uri: '/2017-03-31/tags/{Resource}', code: 204 }, { Resource: inUri('Resource'), Tags: 'tags!' }, async (input, ctx) => {
      await settings.tag(settings.taggable(input.Resource, ctx.accountId), input.Tags);
    }),
    UntagResource: op(
      { method: 'DELETE', uri: '/2017-03-31/tags/{Resource}', code: 204 },
      { Resource: inUri('Resource'), TagKeys: { ...inQuery(list(string()), 'tagKeys'), required: true } },
      async (input, ctx) => {
        await settings.untag(settings.taggable(input.Resource, ctx.accountId), input.TagKeys);
      },
    ),
    ListTags: op({ method: 'GET', uri: '/2017-03-31/tags/{Resource}' }, { Resource: inUri('Resource') }, (input, ctx) => ({
      Tags: { ...registry.get(settings.taggable(input.Resource, ctx.accountId)).tags },
    })),
    AddPermission: op(
      { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/policy', code: 201 },
      { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER, StatementId: 'string!', Action: 'string!', Principal: 'string!', SourceArn: 'string', SourceAccount: 'string', RevisionId: 'string' },
      async (input, ctx) => ({ Statement: JSON.stringify(await settings.addPermission(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input)) }),
    ),
    RemovePermission: op(
      { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', code: 204 },
      { FunctionName: FUNCTION_NAME, StatementId: inUri('StatementId'), Qualifier: QUALIFIER },
      async (input, ctx) => {
        await settings.removePermission(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input.StatementId);
      },
    ),
    GetPolicy: op({ method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/policy' }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, (input, ctx) =>
      settings.policy(parseFunctionName(input.FunctionName, ctx, input.Qualifier)),
    ),
    GetAccountSettings: op({ method: 'GET', uri: '/2016-08-19/account-settings' }, {}, (_input, ctx) => {
      const functions = registry.list(ctx.accountId, ctx.region);
      const codeSize = functions.reduce((n, f) => n + f.latest.config.CodeSize + Object.values(f.versions).reduce((m, v) => m + v.config.CodeSize, 0), 0);
      return {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: ACCOUNT_CONCURRENCY,
          UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - settings.reservedTotal(ctx.accountId, ctx.region),
        },
        AccountUsage: { TotalCodeSize: codeSize, FunctionCount: functions.length },
      };
    }),
  };
}
