/** Function URL configuration: an HTTP endpoint per function or alias (see engine/urls.ts). */
import type { Operation } from '../../service.js';
import { parseFunctionName } from '../engine/names.js';
import type { FunctionUrls } from '../engine/urls.js';
import type { UrlConfig } from '../model.js';
import { FUNCTION_NAME, MARKER, MAX_ITEMS, op, page, QUALIFIER } from './define.js';

const URI = '/2021-10-31/functions/{FunctionName}/url';
const MEMBERS = { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER, AuthType: 'string', Cors: 'doc', InvokeMode: 'string' } as const;

/** The configuration as the API shows it (without the internal id). */
const shown = ({ urlId: _id, ...rest }: UrlConfig) => rest;

export function urlOperations(urls: FunctionUrls): Record<string, Operation> {
  return {
    CreateFunctionUrlConfig: op({ method: 'POST', uri: URI, code: 201 }, MEMBERS, async (input, ctx) => shown(await urls.create(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input))),
    GetFunctionUrlConfig: op({ method: 'GET', uri: URI }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, (input, ctx) => shown(urls.get(parseFunctionName(input.FunctionName, ctx, input.Qualifier)))),
    UpdateFunctionUrlConfig: op({ method: 'PUT', uri: URI }, MEMBERS, async (input, ctx) => shown(await urls.update(parseFunctionName(input.FunctionName, ctx, input.Qualifier), input))),
    DeleteFunctionUrlConfig: op({ method: 'DELETE', uri: URI, code: 204 }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, async (input, ctx) => {
      await urls.delete(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
    }),
    ListFunctionUrlConfigs: op({ method: 'GET', uri: '/2021-10-31/functions/{FunctionName}/urls' }, { FunctionName: FUNCTION_NAME, Marker: MARKER, MaxItems: MAX_ITEMS }, (input, ctx) => {
      return page('FunctionUrlConfigs', urls.list(parseFunctionName(input.FunctionName, ctx)).map(shown), input.Marker, input.MaxItems);
    }),
  };
}
