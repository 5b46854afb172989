/**
 * TagResource, UntagResource, GetTags on `/v2/tags/{resource-arn}` for HTTP APIs
 * (`arn:aws:apigateway:{region}::/apis/{apiId}`) and their stages (`.../stages/{name}`). The ARN
 * resolves through the caller's account and region like any id: another account's API is missing.
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { inQuery, inUri, list, string, structure } from '../../../../protocols/shapes.js';
import type { Operation, RequestContext } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, NotFoundException } from '../../errors.js';
import type { HttpApiDoc } from '../model.js';
import { changeApi, readApi } from './common.js';
import { TAGS } from './shapes.js';
import { findStage } from './stages.js';

const RESOURCE_ARN = inUri('ResourceArn');

interface Target {
  apiId: string;
  stage?: string;
}

function parse(ctx: RequestContext, arn: string): Target {
  const m = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::\/apis\/([a-z0-9]+)(?:\/stages\/([^/]+))?$/.exec(arn);
  if (!m) throw new BadRequestException(`Invalid resource ARN: ${arn}`);
  // Another region's resource is not the caller's, as another account's is not.
  if (m[1] !== ctx.region) throw new NotFoundException(`Invalid API identifier specified ${ctx.accountId}:${m[2]}`);
  return { apiId: m[2]!, ...(m[3] !== undefined ? { stage: m[3] } : {}) };
}

function tagsOf(ctx: RequestContext, doc: HttpApiDoc, t: Target): Record<string, string> {
  return t.stage === undefined ? doc.tags : findStage(ctx, doc, t.stage).tags;
}

export function tagOperations(deps: GatewayDeps): Record<string, Operation> {
  return {
    TagResource: defineOperation({
      http: { method: 'POST', uri: '/v2/tags/{ResourceArn}', code: 201 },
      input: structure({ ResourceArn: RESOURCE_ARN, tags: TAGS }),
      handler: async (input, ctx) => {
        const t = parse(ctx, input.ResourceArn);
        await changeApi(deps, ctx, t.apiId, (doc) => {
          const tags = tagsOf(ctx, doc, t);
          Object.assign(tags, input.tags ?? {});
          if (Object.keys(tags).length > 50) throw new BadRequestException('A resource can have at most 50 tags');
        });
        return {};
      },
    }),
    UntagResource: defineOperation({
      http: { method: 'DELETE', uri: '/v2/tags/{ResourceArn}', code: 204 },
      input: structure({ ResourceArn: RESOURCE_ARN, TagKeys: { ...inQuery(list(string()), 'tagKeys'), required: true as const } }),
      handler: async (input, ctx) => {
        const t = parse(ctx, input.ResourceArn);
        await changeApi(deps, ctx, t.apiId, (doc) => {
          const tags = tagsOf(ctx, doc, t);
          for (const k of input.TagKeys) delete tags[k];
        });
      },
    }),
    GetTags: defineOperation({
      http: { method: 'GET', uri: '/v2/tags/{ResourceArn}' },
      input: structure({ ResourceArn: RESOURCE_ARN }),
      handler: (input, ctx) => {
        const t = parse(ctx, input.ResourceArn);
        return { tags: tagsOf(ctx, readApi(deps, ctx, t.apiId), t) };
      },
    }),
  };
}
