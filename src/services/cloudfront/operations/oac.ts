/**
 * Origin access controls (Create/Get/GetConfig/Update/Delete/List): how CloudFront signs its
 * requests to an origin (SigV4 as `cloudfront.amazonaws.com`, which a bucket policy grants with
 * `AWS:SourceArn` naming the distribution). Names are unique within an account; one in use by a
 * distribution's origin cannot be deleted.
 */
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, structure } from '../../../protocols/shapes.js';
import type { RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import { InvalidArgument, NoSuchOriginAccessControl, OriginAccessControlAlreadyExists, OriginAccessControlInUse } from '../errors.js';
import { cloudfrontId } from '../ids.js';
import type { StoredDistribution, StoredOriginAccessControl } from '../model.js';
import { originAccessControlConfigShape, originAccessControlShape, pageShape, type OriginAccessControlConfig } from '../shapes.js';
import { checkIfMatch, checkQuantities, etagMember, ifMatchMember, locationMember, markerMember, maxItemsMember, newEtag, page, V, withPayloadChecks } from './common.js';

const BASE = `${V}/origin-access-control`;
const noSuch = () => new NoSuchOriginAccessControl('The specified origin access control does not exist.');
const taken = () => new OriginAccessControlAlreadyExists('An origin access control with the same name already exists.');

function prepare(c: OriginAccessControlConfig): OriginAccessControlConfig {
  checkQuantities(c);
  if (c.Name.length < 1 || c.Name.length > 64) throw new InvalidArgument('The parameter Name must be between 1 and 64 characters.');
  if ((c.Description ?? '').length > 256) throw new InvalidArgument('The parameter Description is too long.');
  if (c.SigningProtocol !== 'sigv4') throw new InvalidArgument(`The parameter SigningProtocol is invalid: ${c.SigningProtocol}`);
  if (!['never', 'always', 'no-override'].includes(c.SigningBehavior)) throw new InvalidArgument(`The parameter SigningBehavior is invalid: ${c.SigningBehavior}`);
  if (!['s3', 'mediastore', 'lambda', 'mediapackagev2'].includes(c.OriginAccessControlOriginType)) {
    throw new InvalidArgument(`The parameter OriginAccessControlOriginType is invalid: ${c.OriginAccessControlOriginType}`);
  }
  return { ...c, Description: c.Description ?? '' };
}

const view = (o: StoredOriginAccessControl) => ({ Id: o.id, OriginAccessControlConfig: o.config });

export function oacOperations(deps: CloudFrontDeps) {
  const own = (id: string, ctx: RequestContext) => {
    const o = deps.docs.own<StoredOriginAccessControl>('origin-access-control', id, ctx.accountId);
    if (!o) throw noSuch();
    return o;
  };
  const nameTaken = (accountId: string, name: string, exceptId?: string) =>
    deps.docs.filter<StoredOriginAccessControl>('origin-access-control', (o) => o.accountId === accountId && o.id !== exceptId && o.config.Name === name).length > 0;
  const configIn = { ...inPayload(originAccessControlConfigShape), required: true as const };
  return withPayloadChecks({
    CreateOriginAccessControl: defineOperation({
      http: { method: 'POST', uri: BASE, code: 201 },
      input: structure({ OriginAccessControlConfig: configIn }),
      output: structure({ OriginAccessControl: inPayload(originAccessControlShape), Location: locationMember, ETag: etagMember }),
      handler: async (input, ctx) => {
        const config = prepare(input.OriginAccessControlConfig);
        const doc: StoredOriginAccessControl = {
          kind: 'origin-access-control',
          id: deps.docs.freshId('origin-access-control', () => cloudfrontId(deps.ids, 'E')),
          accountId: ctx.accountId,
          etag: newEtag(deps),
          config,
        };
        await deps.docs.create(doc, () => {
          if (nameTaken(ctx.accountId, config.Name)) throw taken();
          return undefined;
        });
        return { OriginAccessControl: view(doc), Location: `${ctx.endpoint}${BASE}/${doc.id}`, ETag: doc.etag };
      },
    }),
    GetOriginAccessControl: defineOperation({
      http: { method: 'GET', uri: `${BASE}/{Id}` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ OriginAccessControl: inPayload(originAccessControlShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const o = own(input.Id, ctx);
        return { OriginAccessControl: view(o), ETag: o.etag };
      },
    }),
    GetOriginAccessControlConfig: defineOperation({
      http: { method: 'GET', uri: `${BASE}/{Id}/config` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ OriginAccessControlConfig: inPayload(originAccessControlConfigShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const o = own(input.Id, ctx);
        return { OriginAccessControlConfig: o.config, ETag: o.etag };
      },
    }),
    UpdateOriginAccessControl: defineOperation({
      http: { method: 'PUT', uri: `${BASE}/{Id}/config` },
      input: structure({ OriginAccessControlConfig: configIn, Id: inUri('Id'), IfMatch: ifMatchMember }),
      output: structure({ OriginAccessControl: inPayload(originAccessControlShape), ETag: etagMember }),
      handler: async (input, ctx) => {
        const config = prepare(input.OriginAccessControlConfig);
        const o = await deps.docs.update<StoredOriginAccessControl, StoredOriginAccessControl>('origin-access-control', input.Id, ctx.accountId, noSuch, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          if (nameTaken(ctx.accountId, config.Name, doc.id)) throw taken();
          const next = { ...doc, config, etag: newEtag(deps) };
          return { doc: next, result: next };
        });
        return { OriginAccessControl: view(o), ETag: o.etag };
      },
    }),
    DeleteOriginAccessControl: defineOperation({
      http: { method: 'DELETE', uri: `${BASE}/{Id}`, code: 204 },
      input: structure({ Id: inUri('Id'), IfMatch: ifMatchMember }),
      handler: async (input, ctx) => {
        await deps.docs.update<StoredOriginAccessControl, void>('origin-access-control', input.Id, ctx.accountId, noSuch, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          const used = deps.docs.filter<StoredDistribution>('distribution', (d) => d.accountId === ctx.accountId && (d.config.Origins.Items ?? []).some((o) => o.OriginAccessControlId === doc.id));
          if (used.length) throw new OriginAccessControlInUse("Cannot delete the origin access control because it's in use by one or more distributions.");
          return { doc: null, result: undefined };
        });
      },
    }),
    ListOriginAccessControls: defineOperation({
      http: { method: 'GET', uri: BASE },
      input: structure({ Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({
        OriginAccessControlList: inPayload(
          pageShape(
            structure({
              Id: originAccessControlShape.members.Id,
              Description: originAccessControlConfigShape.members.Name,
              Name: originAccessControlConfigShape.members.Name,
              SigningProtocol: originAccessControlConfigShape.members.SigningProtocol,
              SigningBehavior: originAccessControlConfigShape.members.SigningBehavior,
              OriginAccessControlOriginType: originAccessControlConfigShape.members.OriginAccessControlOriginType,
            }),
            'OriginAccessControlSummary',
          ),
        ),
      }),
      handler: (input, ctx) => {
        const p = page(deps.docs.list<StoredOriginAccessControl>('origin-access-control', ctx.accountId), (o) => o.id, input.Marker, input.MaxItems);
        return {
          OriginAccessControlList: {
            Marker: input.Marker ?? '',
            ...(p.nextMarker ? { NextMarker: p.nextMarker } : {}),
            MaxItems: p.max,
            IsTruncated: p.truncated,
            Quantity: p.items.length,
            ...(p.items.length ? { Items: p.items.map((o) => ({ Id: o.id, Description: o.config.Description ?? '', ...o.config })) } : {}),
          },
        };
      },
    }),
  });
}
