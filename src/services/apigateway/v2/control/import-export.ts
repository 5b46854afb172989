/**
 * ImportApi, ReimportApi, ExportApi: an HTTP API from an OpenAPI 3 definition and back
 * (openapi.ts). Imported parts are held to the same checks as the operations that create them;
 * a reimport replaces the API's routes, integrations, authorizers and CORS configuration and keeps
 * its id, stages, deployments and tags.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { RestAnswer } from '../../../../protocols/rest.js';
import { boolean, inQuery, inUri, required, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import { definitionYaml } from '../../shared/definition.js';
import { isWebSocket, LIMITS, type HttpApiDoc } from '../model.js';
import { servedParts } from '../plane/select.js';
import { applyAuthorizer } from './authorizers.js';
import { changeApi, newHttpApi, readApi } from './common.js';
import { exportDefinition, importDefinition, type Imported } from './openapi.js';
import { applyIntegration } from './integrations.js';
import { API_ID } from './shapes.js';
import { apiEndpoint, apiView } from './views.js';

const IMPORT_MEMBERS = { body: required(string()), Basepath: inQuery(string(), 'basepath'), FailOnWarnings: inQuery(boolean(), 'failOnWarnings') };

export function importExportOperations(deps: GatewayDeps): Record<string, Operation> {
  /** The definition's parts, checked and keyed by fresh ids. */
  const parse = (body: string) => {
    const taken = new Set<string>();
    const fresh = (length: number) => {
      for (;;) {
        const id = gatewayId(deps.ids, length);
        if (!taken.has(id)) return taken.add(id), id;
      }
    };
    const imported = importDefinition(body, (kind) => fresh(kind === 'authorizer' ? 6 : 7));
    if (imported.routes.length > LIMITS.routes) throw new BadRequestException(`Maximum number of routes (${LIMITS.routes}) reached for this API`);
    for (const i of imported.integrations) applyIntegration(i, {}, true);
    for (const a of imported.authorizers) applyAuthorizer(a, {}, true);
    return imported;
  };
  const apply = (doc: HttpApiDoc, imported: Imported) => {
    doc.name = imported.name;
    if (imported.description !== undefined) doc.description = imported.description;
    else delete doc.description;
    if (imported.version !== undefined) doc.version = imported.version;
    if (imported.corsConfiguration) doc.corsConfiguration = imported.corsConfiguration;
    else delete doc.corsConfiguration;
    doc.routes = Object.fromEntries(imported.routes.map((r) => [r.routeId, r]));
    doc.integrations = Object.fromEntries(imported.integrations.map((i) => [i.integrationId, i]));
    doc.authorizers = Object.fromEntries(imported.authorizers.map((a) => [a.authorizerId, a]));
  };
  return {
    ImportApi: defineOperation({
      http: { method: 'PUT', uri: '/v2/apis', code: 201 },
      input: structure(IMPORT_MEMBERS),
      handler: async (input, ctx) => {
        const imported = parse(input.body);
        const doc = newHttpApi(deps, ctx, imported.name);
        apply(doc, imported);
        await deps.documents.create(doc, () => new ConflictException('API id conflict, retry'));
        return apiView(deps, doc);
      },
    }),
    ReimportApi: defineOperation({
      http: { method: 'PUT', uri: '/v2/apis/{ApiId}', code: 201 },
      input: structure({ ApiId: API_ID, ...IMPORT_MEMBERS }),
      handler: async (input, ctx) => {
        const imported = parse(input.body);
        return apiView(
          deps,
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            if (isWebSocket(doc)) throw new BadRequestException('ReimportApi is supported only for HTTP APIs');
            return apply(doc, imported), doc;
          }),
        );
      },
    }),
    ExportApi: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/exports/{Specification}' },
      input: structure({
        ApiId: API_ID,
        Specification: inUri('Specification', string({ enum: ['OAS30'] })),
        OutputType: { ...inQuery(string({ enum: ['YAML', 'JSON'] }), 'outputType'), required: true as const },
        ExportVersion: inQuery(string(), 'exportVersion'),
        IncludeExtensions: inQuery(boolean(), 'includeExtensions'),
        StageName: inQuery(string(), 'stageName'),
      }),
      handler: (input, ctx) => {
        const api = readApi(deps, ctx, input.ApiId);
        if (isWebSocket(api)) throw new BadRequestException('ExportApi is supported only for HTTP APIs');
        let parts: Pick<HttpApiDoc, 'routes' | 'integrations' | 'authorizers'> = api;
        if (input.StageName !== undefined) {
          const stage = Object.hasOwn(api.stages, input.StageName) ? api.stages[input.StageName] : undefined;
          if (!stage) throw new NotFoundException('Invalid stage identifier specified');
          parts = servedParts(api, stage) ?? { routes: {}, integrations: {}, authorizers: {} };
        }
        const definition = exportDefinition(api, parts, { extensions: input.IncludeExtensions ?? true, serverUrl: apiEndpoint(deps, api.id), ...(input.StageName !== undefined ? { stageName: input.StageName } : {}) });
        const yaml = input.OutputType === 'YAML';
        return new RestAnswer(200, { 'content-type': yaml ? 'application/yaml' : 'application/json' }, yaml ? definitionYaml(definition) : JSON.stringify(definition, null, 2));
      },
    }),
  };
}
