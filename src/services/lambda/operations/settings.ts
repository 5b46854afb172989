/** Concurrency, asynchronous invoke configuration, tags, permissions and account settings. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import { parseFunctionName } from '../engine/names.js';
import type { Registry } from '../engine/registry.js';
import { ACCOUNT_CONCURRENCY, type Settings } from '../engine/settings.js';
import { page } from './paging.js';
import {
  arn,
  destinationConfig,
  FUNCTION_NAME,
  inQuery,
  inQueryRequired,
  inUri,
  integer,
  list,
  MARKER,
  maxItems,
  NAMESPACED_FUNCTION_NAME,
  namespacedStatementId,
  QUALIFIER,
  required,
  statementId,
  string,
  structure,
  TAGGABLE_RESOURCE,
  tags,
  authType,
  boolean,
} from './shapes.js';

const EVENT_INVOKE_URI = '/2019-09-25/functions/{FunctionName}/event-invoke-config';
const eventInvokeConfig = structure({
  FunctionName: FUNCTION_NAME,
  Qualifier: QUALIFIER,
  MaximumRetryAttempts: integer({ min: 0, max: 2 }),
  MaximumEventAgeInSeconds: integer({ min: 60, max: 21600 }),
  DestinationConfig: destinationConfig,
});
const functionOnly = structure({ FunctionName: FUNCTION_NAME });
const qualified = structure({ FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER });

export function settingsOperations(settings: Settings, registry: Registry): Record<string, Operation> {
  return {
    PutFunctionConcurrency: defineOperation({
      http: { method: 'PUT', uri: '/2017-10-31/functions/{FunctionName}/concurrency' },
      input: structure({ FunctionName: FUNCTION_NAME, ReservedConcurrentExecutions: required(integer({ min: 0 })) }),
      handler: async (input, ctx) => ({ ReservedConcurrentExecutions: await settings.putConcurrency(parseFunctionName(input.FunctionName, ctx), input.ReservedConcurrentExecutions) }),
    }),
    DeleteFunctionConcurrency: defineOperation({
      http: { method: 'DELETE', uri: '/2017-10-31/functions/{FunctionName}/concurrency', code: 204 },
      input: functionOnly,
      handler: async (input, ctx) => {
        await settings.deleteConcurrency(parseFunctionName(input.FunctionName, ctx));
      },
    }),
    GetFunctionConcurrency: defineOperation({
      http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/concurrency' },
      input: functionOnly,
      handler: (input, ctx) => {
        const fn = registry.get(parseFunctionName(input.FunctionName, ctx));
        return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
      },
    }),
    PutFunctionEventInvokeConfig: defineOperation({
      http: { method: 'PUT', uri: EVENT_INVOKE_URI },
      input: eventInvokeConfig,
      handler: ({ FunctionName, Qualifier, ...config }, ctx) => settings.putEventInvokeConfig(parseFunctionName(FunctionName, ctx, Qualifier), config, false),
    }),
    UpdateFunctionEventInvokeConfig: defineOperation({
      http: { method: 'POST', uri: EVENT_INVOKE_URI },
      input: eventInvokeConfig,
      handler: ({ FunctionName, Qualifier, ...config }, ctx) => settings.putEventInvokeConfig(parseFunctionName(FunctionName, ctx, Qualifier), config, true),
    }),
    GetFunctionEventInvokeConfig: defineOperation({
      http: { method: 'GET', uri: EVENT_INVOKE_URI },
      input: qualified,
      handler: (input, ctx) => settings.getEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier)),
    }),
    DeleteFunctionEventInvokeConfig: defineOperation({
      http: { method: 'DELETE', uri: EVENT_INVOKE_URI, code: 204 },
      input: qualified,
      handler: async (input, ctx) => {
        await settings.deleteEventInvokeConfig(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
      },
    }),
    ListFunctionEventInvokeConfigs: defineOperation({
      http: { method: 'GET', uri: `${EVENT_INVOKE_URI}/list` },
      input: structure({ FunctionName: FUNCTION_NAME, Marker: MARKER, MaxItems: maxItems(50) }),
      handler: (input, ctx) => page('FunctionEventInvokeConfigs', settings.listEventInvokeConfigs(parseFunctionName(input.FunctionName, ctx)), input.Marker, input.MaxItems),
    }),
    TagResource: defineOperation({
      http: { method: 'POST', uri: '/2017-03-31/tags/{Resource}', code: 204 },
      input: structure({ Resource: TAGGABLE_RESOURCE, Tags: required(tags) }),
      handler: async (input, ctx) => {
        await settings.tag(settings.taggable(input.Resource, ctx.accountId), input.Tags);
      },
    }),
    UntagResource: defineOperation({
      http: { method: 'DELETE', uri: '/2017-03-31/tags/{Resource}', code: 204 },
      input: structure({ Resource: TAGGABLE_RESOURCE, TagKeys: inQueryRequired(list(string()), 'tagKeys') }),
      handler: async (input, ctx) => {
        await settings.untag(settings.taggable(input.Resource, ctx.accountId), input.TagKeys);
      },
    }),
    ListTags: defineOperation({
      http: { method: 'GET', uri: '/2017-03-31/tags/{Resource}' },
      input: structure({ Resource: TAGGABLE_RESOURCE }),
      handler: (input, ctx) => ({ Tags: { ...registry.get(settings.taggable(input.Resource, ctx.accountId)).tags } }),
    }),
    AddPermission: defineOperation({
      http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/policy', code: 201 },
      input: structure({
        FunctionName: FUNCTION_NAME,
        StatementId: required(statementId),
        Action: required(string({ pattern: '(lambda:[*]|lambda:[a-zA-Z]+|[*])' })),
        Principal: required(string({ pattern: '[^\\s]+' })),
        SourceArn: arn,
        SourceAccount: string({ max: 12, pattern: '\\d{12}' }),
        EventSourceToken: string({ max: 256, pattern: '[a-zA-Z0-9._\\-]+' }),
        Qualifier: QUALIFIER,
        RevisionId: string(),
        PrincipalOrgID: string({ min: 12, max: 34, pattern: 'o-[a-z0-9]{10,32}' }),
        FunctionUrlAuthType: authType,
        InvokedViaFunctionUrl: boolean(),
      }),
      handler: async (input, ctx) => ({ Statement: JSON.stringify(await settings.addPermission(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input)) }),
    }),
    RemovePermission: defineOperation({
      http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', code: 204 },
      input: structure({ FunctionName: FUNCTION_NAME, StatementId: inUri('StatementId', namespacedStatementId), Qualifier: QUALIFIER, RevisionId: inQuery(string(), 'RevisionId') }),
      handler: async (input, ctx) => {
        await settings.removePermission(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input.StatementId);
      },
    }),
    GetPolicy: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/policy' },
      input: structure({ FunctionName: NAMESPACED_FUNCTION_NAME, Qualifier: QUALIFIER }),
      handler: (input, ctx) => settings.policy(parseFunctionName(input.FunctionName, ctx, input.Qualifier)),
    }),
    GetAccountSettings: defineOperation({
      http: { method: 'GET', uri: '/2016-08-19/account-settings' },
      input: structure({}),
      handler: (_input, ctx) => {
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
      },
    }),
  };
}
