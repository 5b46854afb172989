/**
 * Models of WebSocket APIs (CreateModel, GetModel, GetModels, UpdateModel, DeleteModel,
 * GetModelTemplate): JSON Schema draft 4 documents that routes name in `requestModels`, chosen
 * per message by the route's `modelSelectionExpression` (ws/plane/validate.ts). Checked when
 * stored as REST API models are (shared/models.ts); AWS's member bounds (name 1–128 characters,
 * schema up to 32 KB, description up to 1,024). Models are part of the API's document, so a
 * deployment's snapshot carries them.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { inUri, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException } from '../../errors.js';
import { mappingTemplateOf } from '../../shared/model-template.js';
import { checkModelSchema, modelNameOfUrl, parsedSchema } from '../../shared/models.js';
import { changeApi, defined, page, partId, partMissing, readApi, sorted } from '../../v2/control/common.js';
import { API_ID, MAX_RESULTS, NEXT_TOKEN } from '../../v2/control/shapes.js';
import { isWebSocket, LIMITS, type HttpApiDoc, type Model } from '../../v2/model.js';

const MODEL_ID = inUri('ModelId');
const MAX_SCHEMA_CHARS = 32 * 1024;

const MODEL_MEMBERS = {
  contentType: string({ min: 1, max: 256 }),
  description: string({ max: 1024 }),
};

type ModelInput = { name?: string; schema?: string; contentType?: string; description?: string };

/** Models belong to WebSocket APIs only (AWS: "Supported only for WebSocket APIs"). */
function webSocketOnly(doc: HttpApiDoc): void {
  if (!isWebSocket(doc)) throw new BadRequestException('Models are supported only for WebSocket APIs');
}

export function findModel(ctx: RequestContext, doc: HttpApiDoc, modelId: string): Model {
  const m = doc.models && Object.hasOwn(doc.models, modelId) ? doc.models[modelId] : undefined;
  if (!m) throw partMissing(ctx, 'Model', modelId);
  return m;
}

/** The API's model of that name, as a route's `requestModels` and another model's `$ref` name it. */
export function modelNamed(models: Record<string, Model> | undefined, name: string): Model | undefined {
  for (const m of Object.values(models ?? {})) if (m.name === name) return m;
  return undefined;
}

/** A route of the API that names the model (request models, or its route response's), as `$default` or `sendmessage`, if any. */
function usedBy(doc: HttpApiDoc, name: string): string | undefined {
  for (const r of Object.values(doc.routes)) {
    if (Object.values(r.requestModels ?? {}).includes(name)) return r.routeKey;
    for (const rr of Object.values(r.routeResponses ?? {})) if (Object.values(rr.responseModels ?? {}).includes(name)) return r.routeKey;
  }
  return undefined;
}

function applyModel(doc: HttpApiDoc, m: Model, input: ModelInput): Model {
  if (input.name !== undefined && input.name !== m.name) {
    if (!/^[A-Za-z0-9]{1,128}$/.test(input.name)) throw new BadRequestException('Model name must be alphanumeric and 1 to 128 characters long');
    if (modelNamed(doc.models, input.name)) throw new ConflictException(`Model with name ${input.name} already exists for this API`);
    const user = m.name ? usedBy(doc, m.name) : undefined;
    if (user) throw new ConflictException(`Cannot rename model '${m.name}', it is referenced by route ${user}`);
    m.name = input.name;
  }
  if (input.schema !== undefined) {
    checkModelSchema(input.schema, MAX_SCHEMA_CHARS, (ref) => {
      const name = modelNameOfUrl(doc.id, ref);
      return name !== undefined && !!modelNamed(doc.models, name);
    });
    m.schema = input.schema;
  }
  if (input.contentType !== undefined) m.contentType = input.contentType;
  if (input.description !== undefined) m.description = input.description;
  return defined(m as unknown as Record<string, unknown>) as unknown as Model;
}

export function modelOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateModel: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/models', code: 201 },
      input: structure({ ApiId: API_ID, name: required(string({ min: 1, max: 128 })), schema: required(string({ max: MAX_SCHEMA_CHARS })), ...MODEL_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          webSocketOnly(doc);
          const models = (doc.models ??= {});
          if (Object.keys(models).length >= LIMITS.models) throw new BadRequestException(`Maximum number of models (${LIMITS.models}) reached for this API`);
          const m = applyModel(doc, { modelId: partId(deps, models, 6), name: '', schema: '' }, input);
          models[m.modelId] = m;
          return { ...m };
        }),
    }),
    GetModel: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/models/{ModelId}' },
      input: structure({ ApiId: API_ID, ModelId: MODEL_ID }),
      handler: (input, ctx) => ({ ...findModel(ctx, readApi(deps, ctx, input.ApiId), input.ModelId) }),
    }),
    GetModels: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/models' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).models ?? {}).map((m) => ({ ...m })), input.NextToken, input.MaxResults),
    }),
    UpdateModel: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/models/{ModelId}' },
      input: structure({ ApiId: API_ID, ModelId: MODEL_ID, name: string({ min: 1, max: 128 }), schema: string({ max: MAX_SCHEMA_CHARS }), ...MODEL_MEMBERS }),
      handler: async (input, ctx) =>
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          const m = applyModel(doc, structuredClone(findModel(ctx, doc, input.ModelId)), input);
          doc.models![m.modelId] = m;
          return { ...m };
        }),
    }),
    DeleteModel: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/models/{ModelId}', code: 204 },
      input: structure({ ApiId: API_ID, ModelId: MODEL_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          const m = findModel(ctx, doc, input.ModelId);
          const user = usedBy(doc, m.name);
          if (user) throw new ConflictException(`Cannot delete model '${m.name}', it is referenced by route ${user}`);
          delete doc.models![input.ModelId];
        });
      },
    }),
    GetModelTemplate: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/models/{ModelId}/template' },
      input: structure({ ApiId: API_ID, ModelId: MODEL_ID }),
      handler: (input, ctx) => {
        const doc = readApi(deps, ctx, input.ApiId);
        const m = findModel(ctx, doc, input.ModelId);
        return { value: mappingTemplateOf(parsedSchema(m) ?? {}, (ref) => {
          const name = modelNameOfUrl(doc.id, ref);
          const other = name !== undefined ? modelNamed(doc.models, name) : undefined;
          return other ? (parsedSchema(other) ?? undefined) : undefined;
        }) };
      },
    }),
  };
}
