/** Function URL configuration: an HTTP endpoint per function or alias (see engine/urls.ts). */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import { parseFunctionName } from '../engine/names.js';
import type { FunctionUrls } from '../engine/urls.js';
import type { UrlConfig } from '../model.js';
import { page } from './paging.js';
import { authType, cors, FUNCTION_NAME, invokeMode, MARKER, maxItems, required, structure, URL_QUALIFIER } from './shapes.js';

const URI = '/2021-10-31/functions/{FunctionName}/url';
const target = structure({ FunctionName: FUNCTION_NAME, Qualifier: URL_QUALIFIER });

/** The configuration as the API shows it (without the internal id). */
const shown = ({ urlId: _id, ...rest }: UrlConfig) => rest;

export function urlOperations(urls: FunctionUrls): Record<string, Operation> {
  return {
    CreateFunctionUrlConfig: defineOperation({
      http: { method: 'POST', uri: URI, code: 201 },
      input: structure({ FunctionName: FUNCTION_NAME, Qualifier: URL_QUALIFIER, AuthType: required(authType), Cors: cors, InvokeMode: invokeMode }),
      handler: async (input, ctx) => shown(await urls.create(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input)),
    }),
    GetFunctionUrlConfig: defineOperation({
      http: { method: 'GET', uri: URI },
      input: target,
      handler: (input, ctx) => shown(urls.get(parseFunctionName(input.FunctionName, ctx, input.Qualifier))),
    }),
    UpdateFunctionUrlConfig: defineOperation({
      http: { method: 'PUT', uri: URI },
      input: structure({ FunctionName: FUNCTION_NAME, Qualifier: URL_QUALIFIER, AuthType: authType, Cors: cors, InvokeMode: invokeMode }),
      handler: async (input, ctx) => shown(await urls.update(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input)),
    }),
    DeleteFunctionUrlConfig: defineOperation({
      http: { method: 'DELETE', uri: URI, code: 204 },
      input: target,
      handler: async (input, ctx) => {
        await urls.delete(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
      },
    }),
    ListFunctionUrlConfigs: defineOperation({
      http: { method: 'GET', uri: '/2021-10-31/functions/{FunctionName}/urls' },
      input: structure({ FunctionName: FUNCTION_NAME, Marker: MARKER, MaxItems: maxItems(50) }),
      handler: (input, ctx) => page('FunctionUrlConfigs', urls.list(parseFunctionName(input.FunctionName, ctx)).map(shown), input.Marker, input.MaxItems),
    }),
  };
}
