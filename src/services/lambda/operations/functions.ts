/** Function lifecycle operations: create, read, list, update, delete, versions and aliases. */
import type { Operation, RequestContext } from '../../service.js';
import { MAX_ZIP_BYTES } from '../engine/code.js';
import type { Functions } from '../engine/functions.js';
import { parseFunctionName } from '../engine/names.js';
import type { Registry } from '../engine/registry.js';
import type { Versions } from '../engine/versions.js';
import type { FunctionRecord, VersionRecord } from '../model.js';
import { FUNCTION_NAME, inQuery, inUri, MARKER, MAX_ITEMS, op, page, QUALIFIER } from './define.js';
import { string } from '../../../protocols/shapes.js';

const CONFIG_MEMBERS = {
  Runtime: 'string',
  Role: 'string',
  Handler: 'string',
  Description: 'string',
  Timeout: 'integer',
  MemorySize: 'integer',
  Environment: 'doc',
  TracingConfig: 'doc',
  DeadLetterConfig: 'doc',
  LoggingConfig: 'doc',
  EphemeralStorage: 'doc',
  KMSKeyArn: 'string',
  VpcConfig: 'doc',
  Layers: 'strings',
  FileSystemConfigs: 'doc',
  ImageConfig: 'doc',
  SnapStart: 'doc',
} as const;

/** A base64 zip of 50 MB travels as about 70 MB of JSON. */
const CODE_BODY_BYTES = Math.ceil((MAX_ZIP_BYTES * 4) / 3) + 1024 * 1024;

export interface FunctionOpsDeps {
  registry: Registry;
  functions: Functions;
  versions: Versions;
  /** Where GetFunction says the code can be downloaded (none for a local directory). */
  codeLocation(fn: FunctionRecord, version: VersionRecord, ctx: RequestContext): string | undefined;
}

export function functionOperations(d: FunctionOpsDeps): Record<string, Operation> {
  return {
    CreateFunction: op(
      { method: 'POST', uri: '/2015-03-31/functions', code: 201 },
      { FunctionName: 'string!', Code: 'doc!', Publish: 'boolean', Tags: 'tags', PackageType: 'string', Architectures: 'strings', ...CONFIG_MEMBERS },
      async (input, ctx) => {
        const r = parseFunctionName(input.FunctionName, ctx);
        const code = { ...input.Code, ...(typeof input.Code?.ZipFile === 'string' ? { ZipFile: Buffer.from(input.Code.ZipFile, 'base64') } : {}) };
        const config = await d.functions.create(r, { ...input, Code: code }, ctx.accessKeyId);
        if (input.Publish) return d.versions.publish(r, {});
        return config;
      },
      { maxBodyBytes: CODE_BODY_BYTES },
    ),
    GetFunction: op({ method: 'GET', uri: '/2015-03-31/functions/{FunctionName}' }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, (input, ctx) => {
      const r = parseFunctionName(input.FunctionName, ctx, input.Qualifier);
      const { fn, version } = d.functions.version(r);
      return {
        Configuration: { ...version.config },
        Code: { RepositoryType: 'S3', ...withLocation(d.codeLocation(fn, version, ctx)) },
        ...(Object.keys(fn.tags).length ? { Tags: { ...fn.tags } } : {}),
        ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
      };
    }),
    GetFunctionConfiguration: op(
      { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
      { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER },
      (input, ctx) => ({ ...d.functions.version(parseFunctionName(input.FunctionName, ctx, input.Qualifier)).version.config }),
    ),
    UpdateFunctionCode: op(
      { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/code' },
      { FunctionName: FUNCTION_NAME, ZipFile: 'blob', S3Bucket: 'string', S3Key: 'string', S3ObjectVersion: 'string', ImageUri: 'string', Publish: 'boolean', DryRun: 'boolean', RevisionId: 'string', Architectures: 'strings' },
      async (input, ctx) => {
        const r = parseFunctionName(input.FunctionName, ctx);
        const config = await d.functions.updateCode(r, input);
        if (input.Publish) return d.versions.publish(r, {});
        return config;
      },
      { maxBodyBytes: CODE_BODY_BYTES },
    ),
    UpdateFunctionConfiguration: op(
      { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
      { FunctionName: FUNCTION_NAME, RevisionId: 'string', ...CONFIG_MEMBERS },
      (input, ctx) => d.functions.updateConfig(parseFunctionName(input.FunctionName, ctx), input),
    ),
    DeleteFunction: op({ method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}', code: 204 }, { FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }, async (input, ctx) => {
      await d.functions.delete(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
    }),
    ListFunctions: op(
      { method: 'GET', uri: '/2015-03-31/functions' },
      { Marker: MARKER, MaxItems: MAX_ITEMS, FunctionVersion: inQuery(string(), 'FunctionVersion'), MasterRegion: inQuery(string(), 'MasterRegion') },
      (input, ctx) => {
        const all = d.registry.list(ctx.accountId, ctx.region);
        const configs = input.FunctionVersion === 'ALL' ? all.flatMap((f) => d.versions.list(f)) : all.map((f) => ({ ...f.latest.config }));
        return page('Functions', configs, input.Marker, input.MaxItems);
      },
    ),
    PublishVersion: op(
      { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/versions', code: 201 },
      { FunctionName: FUNCTION_NAME, CodeSha256: 'string', Description: 'string', RevisionId: 'string' },
      (input, ctx) => d.versions.publish(parseFunctionName(input.FunctionName, ctx), input),
    ),
    ListVersionsByFunction: op(
      { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/versions' },
      { FunctionName: FUNCTION_NAME, Marker: MARKER, MaxItems: MAX_ITEMS },
      (input, ctx) => {
        return page('Versions', d.versions.list(parseFunctionName(input.FunctionName, ctx)), input.Marker, input.MaxItems);
      },
    ),
    CreateAlias: op(
      { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/aliases', code: 201 },
      { FunctionName: FUNCTION_NAME, Name: 'string!', FunctionVersion: 'string!', Description: 'string', RoutingConfig: 'doc' },
      (input, ctx) => d.versions.createAlias(parseFunctionName(input.FunctionName, ctx), input),
    ),
    GetAlias: op({ method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' }, { FunctionName: FUNCTION_NAME, Name: inUri('Name') }, (input, ctx) =>
      d.versions.getAlias(parseFunctionName(input.FunctionName, ctx), input.Name),
    ),
    UpdateAlias: op(
      { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' },
      { FunctionName: FUNCTION_NAME, Name: inUri('Name'), FunctionVersion: 'string', Description: 'string', RoutingConfig: 'doc', RevisionId: 'string' },
      (input, ctx) => d.versions.updateAlias(parseFunctionName(input.FunctionName, ctx), input.Name, input),
    ),
    DeleteAlias: op({ method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', code: 204 }, { FunctionName: FUNCTION_NAME, Name: inUri('Name') }, async (input, ctx) => {
      await d.versions.deleteAlias(parseFunctionName(input.FunctionName, ctx), input.Name);
    }),
    ListAliases: op(
      { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases' },
      { FunctionName: FUNCTION_NAME, FunctionVersion: inQuery(string(), 'FunctionVersion'), Marker: MARKER, MaxItems: MAX_ITEMS },
      (input, ctx) => {
        return page('Aliases', d.versions.listAliases(parseFunctionName(input.FunctionName, ctx), input.FunctionVersion), input.Marker, input.MaxItems);
      },
    ),
  };
}

const withLocation = (location: string | undefined) => (location ? { Location: location } : {});
