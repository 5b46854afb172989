/**
 * Stages (CreateStage, GetStage, GetStages, UpdateStage, DeleteStage) and deployments
 * (CreateDeployment, GetDeployment, GetDeployments, DeleteDeployment). A deployment freezes the
 * API's routes, integrations and authorizers; a stage serves its deployment's snapshot, or the
 * API's current state when it auto-deploys (as AWS redeploys such a stage on every change).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inUri, map, string, required, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, ConflictException, NotFoundException } from '../../errors.js';
import { LIMITS, type Deployment, type HttpApiDoc, type RouteSettings, type Stage } from '../model.js';
import { changeApi, page, partMissing, readApi, snapshot, sorted } from './common.js';
import { ACCESS_LOG_SETTINGS, API_ID, MAX_RESULTS, NEXT_TOKEN, ROUTE_SETTINGS, TAGS } from './shapes.js';
import { deploymentView, stageView } from './views.js';

const STAGE_NAME = inUri('StageName');
const DEPLOYMENT_ID = inUri('DeploymentId');

const STAGE_MEMBERS = {
  accessLogSettings: ACCESS_LOG_SETTINGS,
  autoDeploy: boolean(),
  clientCertificateId: string(),
  defaultRouteSettings: ROUTE_SETTINGS,
  deploymentId: string(),
  description: string({ max: 1024 }),
  routeSettings: map(string(), ROUTE_SETTINGS),
  stageVariables: map(string({ pattern: '^[A-Za-z0-9_]+$' }), string({ max: 2048 })),
};

type StageInput = Partial<Omit<Stage, 'stageName' | 'createdDate' | 'lastUpdatedDate' | 'tags'>> & { defaultRouteSettings?: Record<string, unknown>; routeSettings?: Record<string, Record<string, unknown>> };

export function stageOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    CreateStage: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/stages', code: 201 },
      input: structure({ ApiId: API_ID, stageName: required(string({ min: 1, max: 128 })), tags: TAGS, ...STAGE_MEMBERS }),
      handler: async (input, ctx) =>
        stageView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            if (input.stageName !== '$default' && !/^[A-Za-z0-9_-]+$/.test(input.stageName)) throw new BadRequestException(`Stage name only allows a-zA-Z0-9_- or $default: ${input.stageName}`);
            if (Object.hasOwn(doc.stages, input.stageName)) throw new ConflictException(`Stage already exists`);
            if (Object.keys(doc.stages).length >= LIMITS.stages) throw new BadRequestException(`Maximum number of stages (${LIMITS.stages}) reached for this API`);
            const now = deps.clock.now();
            const stage = applyStage(ctx, doc, { stageName: input.stageName, autoDeploy: false, tags: input.tags ?? {}, createdDate: now, lastUpdatedDate: now, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, stageVariables: {} }, input as StageInput);
            doc.stages[stage.stageName] = stage;
            return stage;
          }),
        ),
    }),
    GetStage: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/stages/{StageName}' },
      input: structure({ ApiId: API_ID, StageName: STAGE_NAME }),
      handler: (input, ctx) => stageView(findStage(ctx, readApi(deps, ctx, input.ApiId), input.StageName)),
    }),
    GetStages: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/stages' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).stages).map(stageView), input.NextToken, input.MaxResults),
    }),
    UpdateStage: defineOperation({
      http: { method: 'PATCH', uri: '/v2/apis/{ApiId}/stages/{StageName}' },
      input: structure({ ApiId: API_ID, StageName: STAGE_NAME, ...STAGE_MEMBERS }),
      handler: async (input, ctx) =>
        stageView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            const stage = applyStage(ctx, doc, structuredClone(findStage(ctx, doc, input.StageName)), input as StageInput);
            stage.lastUpdatedDate = deps.clock.now();
            doc.stages[stage.stageName] = stage;
            return stage;
          }),
        ),
    }),
    DeleteStage: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/stages/{StageName}', code: 204 },
      input: structure({ ApiId: API_ID, StageName: STAGE_NAME }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findStage(ctx, doc, input.StageName);
          delete doc.stages[input.StageName];
        });
      },
    }),
    ResetAuthorizersCache: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/stages/{StageName}/cache/authorizers', code: 204 },
      input: structure({ ApiId: API_ID, StageName: STAGE_NAME }),
      handler: (input, ctx) => void findStage(ctx, readApi(deps, ctx, input.ApiId), input.StageName),
    }),
    CreateDeployment: defineOperation({
      http: { method: 'POST', uri: '/v2/apis/{ApiId}/deployments', code: 201 },
      input: structure({ ApiId: API_ID, description: string({ max: 1024 }), stageName: string() }),
      handler: async (input, ctx) =>
        deploymentView(
          await changeApi(deps, ctx, input.ApiId, (doc) => {
            const stage = input.stageName !== undefined ? findStage(ctx, doc, input.stageName) : undefined;
            if (stage?.autoDeploy) throw new BadRequestException('Stage is configured for auto-deploy; deployments are made for it on every change');
            if (Object.keys(doc.routes).length === 0) throw new BadRequestException('At least one route is required before deploying the Api.');
            const deployment = snapshot(deps, doc, input.description, false);
            if (stage) {
              stage.deploymentId = deployment.deploymentId;
              stage.lastUpdatedDate = deployment.createdDate;
            }
            return deployment;
          }),
        ),
    }),
    GetDeployment: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/deployments/{DeploymentId}' },
      input: structure({ ApiId: API_ID, DeploymentId: DEPLOYMENT_ID }),
      handler: (input, ctx) => deploymentView(findDeployment(ctx, readApi(deps, ctx, input.ApiId), input.DeploymentId)),
    }),
    GetDeployments: defineOperation({
      http: { method: 'GET', uri: '/v2/apis/{ApiId}/deployments' },
      input: structure({ ApiId: API_ID, MaxResults: MAX_RESULTS, NextToken: NEXT_TOKEN }),
      handler: (input, ctx) => page(sorted(readApi(deps, ctx, input.ApiId).deployments).map(deploymentView), input.NextToken, input.MaxResults),
    }),
    DeleteDeployment: defineOperation({
      http: { method: 'DELETE', uri: '/v2/apis/{ApiId}/deployments/{DeploymentId}', code: 204 },
      input: structure({ ApiId: API_ID, DeploymentId: DEPLOYMENT_ID }),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.ApiId, (doc) => {
          findDeployment(ctx, doc, input.DeploymentId);
          const user = Object.values(doc.stages).find((s) => s.deploymentId === input.DeploymentId);
          // Unconfirmed wording: AWS refuses to delete a deployment a stage serves.
          if (user) throw new BadRequestException(`Active stages pointing to this deployment must be moved or deleted`);
          delete doc.deployments[input.DeploymentId];
        });
      },
    }),
  };
}

export function findStage(_ctx: RequestContext, doc: HttpApiDoc, name: string): Stage {
  const s = Object.hasOwn(doc.stages, name) ? doc.stages[name] : undefined;
  // AWS: "Invalid stage identifier specified" (unconfirmed whether it names the stage).
  if (!s) throw new NotFoundException(`Invalid stage identifier specified`);
  return s;
}

function findDeployment(ctx: RequestContext, doc: HttpApiDoc, id: string): Deployment {
  const d = Object.hasOwn(doc.deployments, id) ? doc.deployments[id] : undefined;
  if (!d) throw partMissing(ctx, 'Deployment', id);
  return d;
}

function routeSettings(raw: Record<string, unknown>): RouteSettings {
  const rate = raw.throttlingRateLimit;
  if (rate !== undefined && (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)) throw new BadRequestException('ThrottlingRateLimit must be a non-negative number');
  const burst = raw.throttlingBurstLimit;
  if (typeof burst === 'number' && burst < 0) throw new BadRequestException('ThrottlingBurstLimit must be a non-negative integer');
  return raw as RouteSettings;
}

function applyStage(ctx: RequestContext, doc: HttpApiDoc, stage: Stage, input: StageInput): Stage {
  if (input.autoDeploy !== undefined) stage.autoDeploy = input.autoDeploy;
  if (input.description !== undefined) stage.description = input.description;
  if (input.clientCertificateId !== undefined) stage.clientCertificateId = input.clientCertificateId;
  if (input.stageVariables !== undefined) stage.stageVariables = input.stageVariables;
  if (input.accessLogSettings !== undefined) {
    const arn = input.accessLogSettings.destinationArn;
    if (arn !== undefined && !/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+(:\*)?$/.test(arn)) throw new BadRequestException(`Invalid destination ARN: ${arn}. It must be a CloudWatch Logs log group ARN`);
    if (arn !== undefined && !input.accessLogSettings.format) throw new BadRequestException('Format is required when a destination ARN is set');
    stage.accessLogSettings = input.accessLogSettings;
  }
  if (input.defaultRouteSettings !== undefined) stage.defaultRouteSettings = routeSettings(input.defaultRouteSettings);
  if (input.routeSettings !== undefined) {
    const out: Record<string, RouteSettings> = {};
    for (const [key, raw] of Object.entries(input.routeSettings)) {
      if (!Object.values(doc.routes).some((r) => r.routeKey === key)) throw new NotFoundException(`Unable to find Route by key ${key} within the provided RouteSettings`);
      out[key] = routeSettings(raw);
    }
    stage.routeSettings = out;
  }
  if (input.deploymentId !== undefined) {
    findDeployment(ctx, doc, input.deploymentId);
    stage.deploymentId = input.deploymentId;
  }
  return stage;
}
