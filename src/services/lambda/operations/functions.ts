/** Function lifecycle operations: create, read, list, update, delete, versions and aliases. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation, RequestContext } from '../../service.js';
import { MAX_ZIP_BYTES } from '../engine/code.js';
import type { Functions } from '../engine/functions.js';
import { parseFunctionName } from '../engine/names.js';
import type { Registry } from '../engine/registry.js';
import type { Versions } from '../engine/versions.js';
import type { FunctionRecord, VersionRecord } from '../model.js';
import { page } from './paging.js';
import {
  architectures,
  boolean,
  code,
  codeSigningConfigArn,
  configMembers,
  description,
  FUNCTION_NAME,
  functionName,
  inQuery,
  inUri,
  MARKER,
  maxItems,
  NAMESPACED_FUNCTION_NAME,
  QUALIFIER,
  required,
  role,
  routingConfig,
  aliasName,
  string,
  structure,
  tags,
  version,
} from './shapes.js';

/** A base64 zip of 50 MB travels as about 70 MB of JSON. */
const CODE_BODY_BYTES = Math.ceil((MAX_ZIP_BYTES * 4) / 3) + 1024 * 1024;

const ALIAS_NAME = inUri('Name', aliasName);

export interface FunctionOpsDeps {
  registry: Registry;
  functions: Functions;
  versions: Versions;
  /** Where GetFunction says the code can be downloaded (none for a local directory). */
  codeLocation(fn: FunctionRecord, version: VersionRecord, ctx: RequestContext): string | undefined;
}

export function functionOperations(d: FunctionOpsDeps): Record<string, Operation> {
  return {
    CreateFunction: defineOperation({
      http: { method: 'POST', uri: '/2015-03-31/functions', code: 201 },
      input: structure({
        FunctionName: required(functionName),
        Role: required(role),
        Code: required(code),
        Publish: boolean(),
        PackageType: string({ enum: ['Zip', 'Image'] }),
        Tags: tags,
        CodeSigningConfigArn: codeSigningConfigArn,
        Architectures: architectures,
        ...configMembers,
      }),
      maxBodyBytes: CODE_BODY_BYTES,
      handler: async (input, ctx) => {
        const r = parseFunctionName(input.FunctionName, ctx);
        const config = await d.functions.create(r, input, ctx.accessKeyId);
        if (input.Publish) return d.versions.publish(r, {});
        return config;
      },
    }),
    GetFunction: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}' },
      input: structure({ FunctionName: NAMESPACED_FUNCTION_NAME, Qualifier: QUALIFIER }),
      handler: (input, ctx) => {
        const r = parseFunctionName(input.FunctionName, ctx, input.Qualifier);
        const { fn, version } = d.functions.version(r);
        return {
          Configuration: { ...version.config },
          Code: { RepositoryType: 'S3', ...withLocation(d.codeLocation(fn, version, ctx)) },
          ...(Object.keys(fn.tags).length ? { Tags: { ...fn.tags } } : {}),
          ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
        };
      },
    }),
    GetFunctionConfiguration: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
      input: structure({ FunctionName: NAMESPACED_FUNCTION_NAME, Qualifier: QUALIFIER }),
      handler: (input, ctx) => ({ ...d.functions.version(parseFunctionName(input.FunctionName, ctx, input.Qualifier)).version.config }),
    }),
    UpdateFunctionCode: defineOperation({
      http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/code' },
      input: structure({
        FunctionName: FUNCTION_NAME,
        ...code.members,
        Publish: boolean(),
        DryRun: boolean(),
        RevisionId: string(),
        Architectures: architectures,
      }),
      maxBodyBytes: CODE_BODY_BYTES,
      handler: async (input, ctx) => {
        const r = parseFunctionName(input.FunctionName, ctx);
        const config = await d.functions.updateCode(r, input);
        if (input.Publish) return d.versions.publish(r, {});
        return config;
      },
    }),
    UpdateFunctionConfiguration: defineOperation({
      http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
      input: structure({ FunctionName: FUNCTION_NAME, Role: role, RevisionId: string(), ...configMembers }),
      handler: (input, ctx) => d.functions.updateConfig(parseFunctionName(input.FunctionName, ctx), input),
    }),
    DeleteFunction: defineOperation({
      http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}', code: 204 },
      input: structure({ FunctionName: FUNCTION_NAME, Qualifier: QUALIFIER }),
      handler: async (input, ctx) => {
        await d.functions.delete(parseFunctionName(input.FunctionName, ctx, input.Qualifier));
      },
    }),
    ListFunctions: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions' },
      input: structure({
        MasterRegion: inQuery(string({ pattern: 'ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}' }), 'MasterRegion'),
        FunctionVersion: inQuery(string({ enum: ['ALL'] }), 'FunctionVersion'),
        Marker: MARKER,
        MaxItems: maxItems(10000),
      }),
      handler: (input, ctx) => {
        const all = d.registry.list(ctx.accountId, ctx.region);
        const configs = input.FunctionVersion === 'ALL' ? all.flatMap((f) => d.versions.list(f)) : all.map((f) => ({ ...f.latest.config }));
        return page('Functions', configs, input.Marker, input.MaxItems);
      },
    }),
    PublishVersion: defineOperation({
      http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/versions', code: 201 },
      input: structure({ FunctionName: FUNCTION_NAME, CodeSha256: string(), Description: description, RevisionId: string() }),
      handler: (input, ctx) => d.versions.publish(parseFunctionName(input.FunctionName, ctx), input),
    }),
    ListVersionsByFunction: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/versions' },
      input: structure({ FunctionName: NAMESPACED_FUNCTION_NAME, Marker: MARKER, MaxItems: maxItems(10000) }),
      handler: (input, ctx) => page('Versions', d.versions.list(parseFunctionName(input.FunctionName, ctx)), input.Marker, input.MaxItems),
    }),
    CreateAlias: defineOperation({
      http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/aliases', code: 201 },
      input: structure({ FunctionName: FUNCTION_NAME, Name: required(aliasName), FunctionVersion: required(version), Description: description, RoutingConfig: routingConfig }),
      handler: (input, ctx) => d.versions.createAlias(parseFunctionName(input.FunctionName, ctx), input),
    }),
    GetAlias: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' },
      input: structure({ FunctionName: FUNCTION_NAME, Name: ALIAS_NAME }),
      handler: (input, ctx) => d.versions.getAlias(parseFunctionName(input.FunctionName, ctx), input.Name),
    }),
    UpdateAlias: defineOperation({
      http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' },
      input: structure({ FunctionName: FUNCTION_NAME, Name: ALIAS_NAME, FunctionVersion: version, Description: description, RoutingConfig: routingConfig, RevisionId: string() }),
      handler: (input, ctx) => d.versions.updateAlias(parseFunctionName(input.FunctionName, ctx), input.Name, input),
    }),
    DeleteAlias: defineOperation({
      http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', code: 204 },
      input: structure({ FunctionName: FUNCTION_NAME, Name: ALIAS_NAME }),
      handler: async (input, ctx) => {
        await d.versions.deleteAlias(parseFunctionName(input.FunctionName, ctx), input.Name);
      },
    }),
    ListAliases: defineOperation({
      http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases' },
      input: structure({ FunctionName: FUNCTION_NAME, FunctionVersion: inQuery(version, 'FunctionVersion'), Marker: MARKER, MaxItems: maxItems(10000) }),
      handler: (input, ctx) => page('Aliases', d.versions.listAliases(parseFunctionName(input.FunctionName, ctx), input.FunctionVersion), input.Marker, input.MaxItems),
    }),
  };
}

const withLocation = (location: string | undefined) => (location ? { Location: location } : {});
