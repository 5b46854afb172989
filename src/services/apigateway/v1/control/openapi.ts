/**
 * ImportRestApi (a new API from an OpenAPI/Swagger definition), PutRestApi (an existing API's
 * definition overwritten or merged) and GetExport (a stage's deployment as a definition).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { RestAnswer } from '../../../../protocols/rest.js';
import { blob, boolean, inHeader, inPayload, inQuery, inUri, string, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { definitionYaml } from '../../shared/definition.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { epochSeconds, type Model, type Resource, type RestApiDoc } from '../model.js';
import { exportDefinition } from '../openapi/export.js';
import { importDefinition, parseDefinition, type ImportedApi } from '../openapi/import.js';
import { checkMethodModels } from '../openapi/models.js';
import { checkSchema, defaultModels } from './models.js';
import { apiIdMember, changeApi, noStage, ownApi } from './common.js';
import { restApiView } from './rest-apis.js';

/** The `parameters` map travels as the request's other query parameters. */
function queryParameters(ctx: RequestContext): URLSearchParams {
  return new URLSearchParams(ctx.query ?? '');
}

function endpointTypes(ctx: RequestContext): string[] {
  const t = queryParameters(ctx).get('endpointConfigurationTypes');
  if (!t) return ['EDGE'];
  if (!['REGIONAL', 'EDGE', 'PRIVATE'].includes(t)) throw new BadRequestException(`Invalid endpoint configuration type: ${t}`);
  return [t];
}

/**
 * The models an API has after an import: `base` (the API's own when merging), AWS's `Empty` and
 * `Error` unless present, then the definition's (replacing those of the same name); every model a
 * method names must be among them, and every schema is checked as CreateModel checks it.
 */
function withModels(apiId: string, base: Record<string, Model>, imported: ImportedApi, deps: GatewayDeps): Record<string, Model> {
  const models: Record<string, Model> = { ...defaultModels(deps.ids), ...base };
  for (const m of Object.values(imported.models)) models[m.name] = Object.hasOwn(models, m.name) ? { ...m, id: models[m.name]!.id } : m;
  for (const m of Object.values(imported.models)) checkSchema({ id: apiId, models }, m.schema);
  for (const r of Object.values(imported.resources)) {
    for (const method of Object.values(r.resourceMethods ?? {})) checkMethodModels(method, (name) => Object.hasOwn(models, name), `${method.httpMethod} ${r.path}`);
  }
  return models;
}

/** An imported definition merged into an API: resources by path (methods replaced one by one), authorizers by name. */
function merge(api: RestApiDoc, imported: ImportedApi, rootId: string): void {
  const byPath = new Map(Object.values(api.resources).map((r) => [r.path, r]));
  const authorizerIds = new Map<string, string>();
  for (const a of Object.values(imported.authorizers)) {
    const same = Object.values(api.authorizers).find((x) => x.name === a.name);
    const id = same?.id ?? a.id;
    api.authorizers[id] = { ...a, id };
    authorizerIds.set(a.id, id);
  }
  const idMap = new Map<string, string>([[rootId, api.rootResourceId]]);
  // Parents come before children in path order.
  for (const r of Object.values(imported.resources).sort((a, b) => a.path.length - b.path.length)) {
    let target = byPath.get(r.path);
    if (!target) {
      target = { ...r, parentId: idMap.get(r.parentId!) ?? r.parentId, resourceMethods: {} } as Resource;
      api.resources[target.id] = target;
      byPath.set(r.path, target);
    }
    idMap.set(r.id, target.id);
    for (const [m, method] of Object.entries(r.resourceMethods ?? {})) {
      if (method.authorizerId) method.authorizerId = authorizerIds.get(method.authorizerId) ?? method.authorizerId;
      (target.resourceMethods ??= {})[m] = method;
    }
  }
  Object.assign(api.gatewayResponses, imported.gatewayResponses);
  // Validators by name, as authorizers: a method's validator id follows its validator.
  const validatorIds = new Map<string, string>();
  for (const v of Object.values(imported.requestValidators)) {
    const same = Object.values(api.requestValidators ?? {}).find((x) => x.name === v.name);
    const id = same?.id ?? v.id;
    (api.requestValidators ??= {})[id] = { ...v, id };
    validatorIds.set(v.id, id);
  }
  for (const r of Object.values(api.resources)) {
    for (const m of Object.values(r.resourceMethods ?? {})) if (m.requestValidatorId && validatorIds.has(m.requestValidatorId)) m.requestValidatorId = validatorIds.get(m.requestValidatorId);
  }
  for (const b of imported.binaryMediaTypes) if (!api.binaryMediaTypes.includes(b)) api.binaryMediaTypes.push(b);
  if (imported.policy) api.policy = imported.policy;
  if (imported.apiKeySource) api.apiKeySource = imported.apiKeySource;
}

export function openApiOperations(deps: GatewayDeps): Record<string, Operation> {
  const newId = () => gatewayId(deps.ids, 6);
  return {
    ImportRestApi: defineOperation({
      http: { method: 'POST', uri: '/restapis?mode=import', code: 201 },
      input: structure({ body: inPayload(blob()), failOnWarnings: inQuery(boolean(), 'failonwarnings') }),
      handler: async (input, ctx) => {
        if (!input.body?.length) throw new BadRequestException('Invalid OpenAPI input: the request has no body');
        const types = endpointTypes(ctx);
        const rootId = gatewayId(deps.ids);
        const id = deps.documents.freshId(() => gatewayId(deps.ids));
        const imported = importDefinition(parseDefinition(input.body), newId, rootId, id);
        const models = withModels(id, {}, imported, deps);
        const api: RestApiDoc = {
          kind: 'restApi',
          id,
          accountId: ctx.accountId,
          region: ctx.region,
          name: imported.name,
          ...(imported.description ? { description: imported.description } : {}),
          ...(imported.version ? { version: imported.version } : {}),
          createdDate: epochSeconds(deps.clock.now()),
          binaryMediaTypes: imported.binaryMediaTypes,
          apiKeySource: imported.apiKeySource ?? 'HEADER',
          endpointConfiguration: { types },
          ...(imported.policy ? { policy: imported.policy } : {}),
          disableExecuteApiEndpoint: false,
          tags: {},
          rootResourceId: rootId,
          resources: imported.resources,
          deployments: {},
          stages: {},
          authorizers: imported.authorizers,
          gatewayResponses: imported.gatewayResponses,
          requestValidators: imported.requestValidators,
          models,
        };
        await deps.documents.create(api, () => new ConflictException('Unable to import the REST API: the identifier is taken'));
        return restApiView(api);
      },
    }),

    PutRestApi: defineOperation({
      http: { method: 'PUT', uri: '/restapis/{restApiId}' },
      input: structure({ restApiId: apiIdMember, body: inPayload(blob()), mode: inQuery(string({ enum: ['merge', 'overwrite'] }), 'mode'), failOnWarnings: inQuery(boolean(), 'failonwarnings') }),
      handler: (input, ctx) => {
        if (!input.body?.length) throw new BadRequestException('Invalid OpenAPI input: the request has no body');
        const doc = parseDefinition(input.body);
        return changeApi(deps, ctx, input.restApiId, (api) => {
          const rootId = api.rootResourceId;
          const imported = importDefinition(doc, newId, rootId, api.id);
          const overwrite = (input.mode ?? 'merge') === 'overwrite';
          api.models = withModels(api.id, overwrite ? {} : (api.models ?? {}), imported, deps);
          if (overwrite) {
            api.name = imported.name;
            if (imported.description !== undefined) api.description = imported.description;
            if (imported.version !== undefined) api.version = imported.version;
            api.resources = imported.resources;
            api.authorizers = imported.authorizers;
            api.gatewayResponses = imported.gatewayResponses;
            api.requestValidators = imported.requestValidators;
            api.binaryMediaTypes = imported.binaryMediaTypes;
            if (imported.policy) api.policy = imported.policy;
            else delete api.policy;
            api.apiKeySource = imported.apiKeySource ?? 'HEADER';
          } else merge(api, imported, rootId);
          return restApiView(api);
        });
      },
    }),

    GetExport: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/stages/{stageName}/exports/{exportType}' },
      input: structure({ restApiId: apiIdMember, stageName: inUri('stageName'), exportType: inUri('exportType'), accepts: inHeader(string(), 'Accept') }),
      handler: (input, ctx) => {
        const api = ownApi(deps, ctx, input.restApiId);
        const stage = Object.hasOwn(api.stages, input.stageName) ? api.stages[input.stageName] : undefined;
        if (!stage) throw noStage();
        const format = input.exportType;
        if (format !== 'oas30' && format !== 'swagger') throw new BadRequestException(`Invalid export type specified: ${format}. Valid options are oas30,swagger`);
        const yaml = !!input.accepts && /yaml/i.test(input.accepts);
        const snapshot = api.deployments[stage.deploymentId]!.snapshot;
        const extensions = new Set((queryParameters(ctx).get('extensions') ?? '').split(',').map((e) => e.trim()).filter(Boolean));
        const definition = exportDefinition(api, stage.stageName, snapshot, format, extensions);
        const body = yaml ? definitionYaml(definition) : JSON.stringify(definition, null, 2);
        // Nimbus's own file name (AWS's is unconfirmed): `{apiId}-{stage}-{type}.json` (or `.yaml`).
        const file = `${api.id}-${stage.stageName}-${format}.${yaml ? 'yaml' : 'json'}`;
        return new RestAnswer(200, { 'content-type': yaml ? 'application/yaml' : 'application/json', 'content-disposition': `attachment; filename="${file}"` }, body);
      },
    }),
  };
}
