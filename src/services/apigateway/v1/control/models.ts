/**
 * Models (CreateModel, GetModel, GetModels, UpdateModel, DeleteModel, GetModelTemplate): JSON Schema draft 4
 * documents named within a REST API, which request validators check bodies against. A new API
 * is born with AWS's two, `Empty` and `Error`. A schema is checked when it is stored, as AWS
 * does ("Invalid model specified: Validation Result: ..."), and may name another model of the
 * same API by its canonical URL.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inQuery, inUri, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { mappingTemplateOf } from '../../shared/model-template.js';
import { checkModelSchema, modelNameOfUrl, parsedSchema } from '../../shared/models.js';
import type { Model, RestApiDoc } from '../model.js';
import { apiIdMember, byKey, changeApi, defined, ownApi, page, pageMembers } from './common.js';
import { applyPatch, patchMember, scalar } from './patch.js';

const noModel = () => new NotFoundException('Invalid model name specified');

/** AWS's bound on an API's models (a service quota in its documentation). */
const MAX_MODELS = 200;
/** The largest schema kept, in characters: a model is part of the API's one stored document. */
const MAX_SCHEMA_CHARS = 400 * 1024;

/** The model a canonical model URL names, if it is a model of `api`. */
export function modelByUrl(models: Record<string, Model> | undefined, apiId: string, ref: string): Model | undefined {
  const name = modelNameOfUrl(apiId, ref);
  return name !== undefined && models && Object.hasOwn(models, name) ? models[name] : undefined;
}

/** The models every new REST API has, as AWS creates them. */
export function defaultModels(ids: GatewayDeps['ids']): Record<string, Model> {
  const model = (name: string, schema: object): Model => ({ id: gatewayId(ids, 6), name, description: `This is a default ${name.toLowerCase()} schema model`, schema: JSON.stringify(schema, null, 2), contentType: 'application/json' });
  return {
    Empty: model('Empty', { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' }),
    Error: model('Error', { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Error Schema', type: 'object', properties: { message: { type: 'string' } } }),
  };
}

function modelOf(api: RestApiDoc, name: string): Model {
  const m = api.models && Object.hasOwn(api.models, name) ? api.models[name] : undefined;
  if (!m) throw noModel();
  return m;
}

/** Refuses a schema CreateModel would refuse for this API (its other models may be named by URL). */
export const checkSchema = (api: Pick<RestApiDoc, 'id' | 'models'>, schema: string | undefined) => checkModelSchema(schema, MAX_SCHEMA_CHARS, (ref) => !!modelByUrl(api.models, api.id, ref));

/** The method that uses a model for its request body, as `/pets/POST`, if any. */
function usedBy(api: RestApiDoc, name: string): string | undefined {
  for (const r of Object.values(api.resources)) for (const [verb, m] of Object.entries(r.resourceMethods ?? {})) if (Object.values(m.requestModels ?? {}).includes(name)) return `${r.path}/${verb}`;
  return undefined;
}

export function modelOperations(deps: GatewayDeps): Record<string, Operation> {
  const members = { restApiId: apiIdMember, modelName: inUri('modelName') };
  return {
    CreateModel: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/models', code: 201 },
      input: structure({ restApiId: apiIdMember, name: required(string()), description: string(), schema: string(), contentType: required(string()) }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          if (!/^[A-Za-z0-9]+$/.test(input.name)) throw new BadRequestException('Model name must be alphanumeric');
          const models = (api.models ??= {});
          if (Object.hasOwn(models, input.name)) throw new ConflictException('Model name already exists for this REST API');
          if (Object.keys(models).length >= MAX_MODELS) throw new BadRequestException(`Unable to create model: the API has reached the limit of ${MAX_MODELS} models`);
          checkSchema(api, input.schema);
          const model: Model = defined({ id: gatewayId(deps.ids, 6), name: input.name, description: input.description, schema: input.schema, contentType: input.contentType });
          models[input.name] = model;
          return model;
        }),
    }),
    GetModel: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/models/{modelName}' },
      input: structure({ ...members, flatten: inQuery(boolean(), 'flatten') }),
      handler: (input, ctx) => modelOf(ownApi(deps, ctx, input.restApiId), input.modelName),
    }),
    GetModels: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/models' },
      input: structure({ restApiId: apiIdMember, ...pageMembers }),
      handler: (input, ctx) => page(Object.values(ownApi(deps, ctx, input.restApiId).models ?? {}).sort(byKey((m) => m.name)), (m) => m.name, input.position, input.limit),
    }),
    GetModelTemplate: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/models/{modelName}/default_template' },
      input: structure(members),
      handler: (input, ctx) => {
        const api = ownApi(deps, ctx, input.restApiId);
        const other = (ref: string) => {
          const m = modelByUrl(api.models, api.id, ref);
          return m ? (parsedSchema(m) ?? undefined) : undefined;
        };
        return { value: mappingTemplateOf(parsedSchema(modelOf(api, input.modelName)) ?? {}, other) };
      },
    }),
    UpdateModel: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/models/{modelName}' },
      input: structure({ ...members, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const model = modelOf(api, input.modelName);
          const changed = { ...model };
          applyPatch(changed, input.patchOperations, [scalar('/schema'), scalar('/description')]);
          checkSchema(api, changed.schema);
          api.models![input.modelName] = changed;
          return changed;
        }),
    }),
    DeleteModel: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/models/{modelName}', code: 202 },
      input: structure(members),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          modelOf(api, input.modelName);
          const user = usedBy(api, input.modelName);
          if (user) throw new ConflictException(`Cannot delete model '${input.modelName}', is referenced in method request: ${user}`);
          delete api.models![input.modelName];
        });
        return undefined;
      },
    }),
  };
}
