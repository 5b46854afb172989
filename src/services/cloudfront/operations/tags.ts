/**
 * Tags on distributions (TagResource, UntagResource, ListTagsForResource), named by ARN
 * `arn:aws:cloudfront::<account>:distribution/<id>`. An ARN of another account is refused as
 * AWS refuses it (the caller cannot be authorized on another account's resource: AccessDenied);
 * a missing distribution of the caller's own is NoSuchResource.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inQuery, list, string, structure } from '../../../protocols/shapes.js';
import type { RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { AccessDenied, InvalidArgument, InvalidTagging, NoSuchResource } from '../errors.js';
import type { StoredDistribution } from '../model.js';
import { tagsShape, type Tag } from '../shapes.js';
import { V } from './common.js';

const MAX_TAGS = 50;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ARN = /^arn:aws:cloudfront::(\d{12}):distribution\/([A-Z0-9]+)$/;

/** Tags as CloudFront accepts them: keys 1–128 and values up to 256 characters of its set, at most 50. */
export function checkTags(tags: Tag[]): void {
  if (tags.length > MAX_TAGS) throw new InvalidTagging('Your request contains too many tags.');
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128 || !TAG_TEXT.test(t.Key)) throw new InvalidTagging(`The tag key is not valid: ${t.Key}`);
    const v = t.Value ?? '';
    if (v.length > 256 || !TAG_TEXT.test(v)) throw new InvalidTagging(`The tag value is not valid: ${v}`);
  }
}

function resource(deps: CloudFrontDeps, arn: string | undefined, ctx: RequestContext): StoredDistribution {
  const m = ARN.exec(arn ?? '');
  if (!m) throw new InvalidArgument('The specified ARN is not valid.');
  if (m[1] !== ctx.accountId) {
    throw new AccessDenied(`User: arn:aws:iam::${ctx.accountId}:root is not authorized to perform: cloudfront:${ctx.operation ?? 'TagResource'} on resource: ${arn}`);
  }
  const d = deps.docs.own<StoredDistribution>('distribution', m[2]!, ctx.accountId);
  if (!d) throw new NoSuchResource('The specified resource does not exist.');
  return d;
}

const noSuchResource = () => new NoSuchResource('The specified resource does not exist.');
const resourceMember = { ...inQuery(string(), 'Resource'), required: true as const };

export function tagOperations(deps: CloudFrontDeps) {
  return {
    TagResource: defineOperation({
      http: { method: 'POST', uri: `${V}/tagging?Operation=Tag`, code: 204 },
      input: structure({ Resource: resourceMember, Tags: { ...inPayload(tagsShape), required: true as const } }),
      handler: async (input, ctx) => {
        const d = resource(deps, input.Resource, ctx);
        const add = input.Tags.Items ?? [];
        checkTags(add);
        await deps.docs.update<StoredDistribution, void>('distribution', d.id, ctx.accountId, noSuchResource, (doc) => {
          const tags = new Map(doc.tags.map((t) => [t.Key, t]));
          for (const t of add) tags.set(t.Key, { Key: t.Key, Value: t.Value ?? '' });
          if (tags.size > MAX_TAGS) throw new InvalidTagging('Your request contains too many tags.');
          return { doc: { ...doc, tags: [...tags.values()] }, result: undefined };
        });
      },
    }),
    UntagResource: defineOperation({
      http: { method: 'POST', uri: `${V}/tagging?Operation=Untag`, code: 204 },
      input: structure({ Resource: resourceMember, TagKeys: { ...inPayload(structure({ Items: list(string(), { memberName: 'Key' }) })), required: true as const } }),
      handler: async (input, ctx) => {
        const d = resource(deps, input.Resource, ctx);
        const drop = new Set(input.TagKeys.Items ?? []);
        await deps.docs.update<StoredDistribution, void>('distribution', d.id, ctx.accountId, noSuchResource, (doc) => ({
          doc: { ...doc, tags: doc.tags.filter((t) => !drop.has(t.Key)) },
          result: undefined,
        }));
      },
    }),
    ListTagsForResource: defineOperation({
      http: { method: 'GET', uri: `${V}/tagging` },
      input: structure({ Resource: resourceMember }),
      output: structure({ Tags: inPayload(tagsShape) }),
      handler: (input, ctx) => {
        const d = resource(deps, input.Resource, ctx);
        return { Tags: d.tags.length ? { Items: d.tags } : {} };
      },
    }),
  };
}
