/**
 * Public keys and key groups (Create/Get/GetConfig/Update/Delete/List each): the keys signed
 * URLs and cookies are verified with. A public key is an RSA public key in PEM; only its Comment
 * can change. A key group names up to five of the account's public keys; a behavior trusts key
 * groups (TrustedKeyGroups). A key in a group, or a group a distribution trusts, cannot be deleted.
 */
import { createPublicKey } from 'node:crypto';
import { defineOperation } from '../../../protocols/define-operation.js';
import { inPayload, inUri, structure } from '../../../protocols/shapes.js';
import type { RequestContext } from '../../service.js';
import type { CloudFrontDeps } from '../deps.js';
import {
  CannotChangeImmutablePublicKeyFields,
  InvalidArgument,
  KeyGroupAlreadyExists,
  NoSuchPublicKey,
  NoSuchResource,
  PublicKeyAlreadyExists,
  PublicKeyInUse,
  ResourceInUse,
} from '../errors.js';
import { cloudfrontId } from '../ids.js';
import type { StoredDistribution, StoredKeyGroup, StoredPublicKey } from '../model.js';
import { keyGroupConfigShape, keyGroupShape, pageShape, publicKeyConfigShape, publicKeyShape, type KeyGroupConfig, type PublicKeyConfig } from '../shapes.js';
import { checkIfMatch, etagMember, ifMatchMember, iso, locationMember, markerMember, maxItemsMember, newEtag, page, V, withPayloadChecks } from './common.js';

const KEYS = `${V}/public-key`;
const GROUPS = `${V}/key-group`;
const MAX_KEYS_PER_GROUP = 5;
const noSuchKey = () => new NoSuchPublicKey('The specified public key does not exist.');
const noSuchGroup = () => new NoSuchResource('The specified key group does not exist.');
const NAME = /^[A-Za-z0-9_-]{1,128}$/;

function checkKey(c: PublicKeyConfig): PublicKeyConfig {
  if (!NAME.test(c.Name)) throw new InvalidArgument(`The parameter Name is invalid: ${c.Name}`);
  if ((c.Comment ?? '').length > 128) throw new InvalidArgument('The parameter Comment is too long.');
  let type: string | undefined;
  try {
    const key = createPublicKey({ key: c.EncodedKey, format: 'pem' });
    type = key.asymmetricKeyType;
    if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) !== 2048) type = 'rsa-other';
  } catch {
    type = undefined;
  }
  if (type !== 'rsa' && type !== 'ec') throw new InvalidArgument('Invalid public key. The key must be an RSA 2048-bit or ECDSA 256-bit public key in PEM format.');
  return { ...c, Comment: c.Comment ?? '' };
}

const keyView = (k: StoredPublicKey) => ({ Id: k.id, CreatedTime: iso(k.createdAt), PublicKeyConfig: k.config });
const groupView = (g: StoredKeyGroup) => ({ Id: g.id, LastModifiedTime: iso(g.lastModified), KeyGroupConfig: g.config });

export function keyOperations(deps: CloudFrontDeps) {
  const ownKey = (id: string, ctx: RequestContext): StoredPublicKey => {
    const k = deps.docs.own<StoredPublicKey>('public-key', id, ctx.accountId);
    if (!k) throw noSuchKey();
    return k;
  };
  const ownGroup = (id: string, ctx: RequestContext): StoredKeyGroup => {
    const g = deps.docs.own<StoredKeyGroup>('key-group', id, ctx.accountId);
    if (!g) throw noSuchGroup();
    return g;
  };

  const checkGroup = (c: KeyGroupConfig, ctx: RequestContext): KeyGroupConfig => {
    if (!NAME.test(c.Name)) throw new InvalidArgument(`The parameter Name is invalid: ${c.Name}`);
    if ((c.Comment ?? '').length > 128) throw new InvalidArgument('The parameter Comment is too long.');
    const items = c.Items ?? [];
    if (items.length === 0) throw new InvalidArgument('A key group must contain at least one public key.');
    if (items.length > MAX_KEYS_PER_GROUP) throw new InvalidArgument(`A key group can contain at most ${MAX_KEYS_PER_GROUP} public keys.`);
    if (new Set(items).size !== items.length) throw new InvalidArgument('A key group cannot contain the same public key twice.');
    for (const id of items) if (!deps.docs.own<StoredPublicKey>('public-key', id, ctx.accountId)) throw noSuchKey();
    return { ...c, Comment: c.Comment ?? '' };
  };
  const groupNameTaken = (accountId: string, name: string, exceptId?: string) =>
    deps.docs.filter<StoredKeyGroup>('key-group', (g) => g.accountId === accountId && g.id !== exceptId && g.config.Name === name).length > 0;

  const keyConfigIn = { ...inPayload(publicKeyConfigShape), required: true as const };
  const groupConfigIn = { ...inPayload(keyGroupConfigShape), required: true as const };

  return withPayloadChecks({
    CreatePublicKey: defineOperation({
      http: { method: 'POST', uri: KEYS, code: 201 },
      input: structure({ PublicKeyConfig: keyConfigIn }),
      output: structure({ PublicKey: inPayload(publicKeyShape), Location: locationMember, ETag: etagMember }),
      handler: async (input, ctx) => {
        const config = checkKey(input.PublicKeyConfig);
        const doc: StoredPublicKey = { kind: 'public-key', id: deps.docs.freshId('public-key', () => cloudfrontId(deps.ids, 'K')), accountId: ctx.accountId, etag: newEtag(deps), createdAt: deps.clock.now(), config };
        await deps.docs.create(doc, () => {
          const clash = deps.docs.filter<StoredPublicKey>('public-key', (k) => k.accountId === ctx.accountId && (k.config.CallerReference === config.CallerReference || k.config.Name === config.Name));
          if (clash.length) throw new PublicKeyAlreadyExists('The specified public key already exists.');
          return undefined;
        });
        return { PublicKey: keyView(doc), Location: `${ctx.endpoint}${KEYS}/${doc.id}`, ETag: doc.etag };
      },
    }),
    GetPublicKey: defineOperation({
      http: { method: 'GET', uri: `${KEYS}/{Id}` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ PublicKey: inPayload(publicKeyShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const k = ownKey(input.Id, ctx);
        return { PublicKey: keyView(k), ETag: k.etag };
      },
    }),
    GetPublicKeyConfig: defineOperation({
      http: { method: 'GET', uri: `${KEYS}/{Id}/config` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ PublicKeyConfig: inPayload(publicKeyConfigShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const k = ownKey(input.Id, ctx);
        return { PublicKeyConfig: k.config, ETag: k.etag };
      },
    }),
    UpdatePublicKey: defineOperation({
      http: { method: 'PUT', uri: `${KEYS}/{Id}/config` },
      input: structure({ PublicKeyConfig: keyConfigIn, Id: inUri('Id'), IfMatch: ifMatchMember }),
      output: structure({ PublicKey: inPayload(publicKeyShape), ETag: etagMember }),
      handler: async (input, ctx) => {
        const k = await deps.docs.update<StoredPublicKey, StoredPublicKey>('public-key', input.Id, ctx.accountId, noSuchKey, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          const c = input.PublicKeyConfig;
          if (c.CallerReference !== doc.config.CallerReference || c.Name !== doc.config.Name || c.EncodedKey.trim() !== doc.config.EncodedKey.trim()) {
            throw new CannotChangeImmutablePublicKeyFields("You can't change the value of a public key.");
          }
          if ((c.Comment ?? '').length > 128) throw new InvalidArgument('The parameter Comment is too long.');
          const next = { ...doc, config: { ...doc.config, Comment: c.Comment ?? '' }, etag: newEtag(deps) };
          return { doc: next, result: next };
        });
        return { PublicKey: keyView(k), ETag: k.etag };
      },
    }),
    DeletePublicKey: defineOperation({
      http: { method: 'DELETE', uri: `${KEYS}/{Id}`, code: 204 },
      input: structure({ Id: inUri('Id'), IfMatch: ifMatchMember }),
      handler: async (input, ctx) => {
        await deps.docs.update<StoredPublicKey, void>('public-key', input.Id, ctx.accountId, noSuchKey, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          if (deps.docs.filter<StoredKeyGroup>('key-group', (g) => g.accountId === ctx.accountId && (g.config.Items ?? []).includes(doc.id)).length) {
            throw new PublicKeyInUse('The specified public key is in use.');
          }
          return { doc: null, result: undefined };
        });
      },
    }),
    ListPublicKeys: defineOperation({
      http: { method: 'GET', uri: KEYS },
      input: structure({ Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({
        PublicKeyList: inPayload(
          pageShape(
            structure({
              Id: publicKeyShape.members.Id,
              Name: publicKeyConfigShape.members.Name,
              CreatedTime: publicKeyShape.members.CreatedTime,
              EncodedKey: publicKeyConfigShape.members.EncodedKey,
              Comment: publicKeyConfigShape.members.Comment,
            }),
            'PublicKeySummary',
          ),
        ),
      }),
      handler: (input, ctx) => {
        const p = page(deps.docs.list<StoredPublicKey>('public-key', ctx.accountId), (k) => k.id, input.Marker, input.MaxItems);
        return {
          PublicKeyList: {
            ...(p.nextMarker ? { NextMarker: p.nextMarker } : {}),
            MaxItems: p.max,
            Quantity: p.items.length,
            ...(p.items.length
              ? { Items: p.items.map((k) => ({ Id: k.id, Name: k.config.Name, CreatedTime: iso(k.createdAt), EncodedKey: k.config.EncodedKey, Comment: k.config.Comment ?? '' })) }
              : {}),
          },
        };
      },
    }),

    CreateKeyGroup: defineOperation({
      http: { method: 'POST', uri: GROUPS, code: 201 },
      input: structure({ KeyGroupConfig: groupConfigIn }),
      output: structure({ KeyGroup: inPayload(keyGroupShape), Location: locationMember, ETag: etagMember }),
      handler: async (input, ctx) => {
        const config = checkGroup(input.KeyGroupConfig, ctx);
        const doc: StoredKeyGroup = { kind: 'key-group', id: deps.docs.freshId('key-group', () => deps.ids.uuid()), accountId: ctx.accountId, etag: newEtag(deps), lastModified: deps.clock.now(), config };
        await deps.docs.create(doc, () => {
          if (groupNameTaken(ctx.accountId, config.Name)) throw new KeyGroupAlreadyExists('A key group with this name already exists.');
          return undefined;
        });
        return { KeyGroup: groupView(doc), Location: `${ctx.endpoint}${GROUPS}/${doc.id}`, ETag: doc.etag };
      },
    }),
    GetKeyGroup: defineOperation({
      http: { method: 'GET', uri: `${GROUPS}/{Id}` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ KeyGroup: inPayload(keyGroupShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const g = ownGroup(input.Id, ctx);
        return { KeyGroup: groupView(g), ETag: g.etag };
      },
    }),
    GetKeyGroupConfig: defineOperation({
      http: { method: 'GET', uri: `${GROUPS}/{Id}/config` },
      input: structure({ Id: inUri('Id') }),
      output: structure({ KeyGroupConfig: inPayload(keyGroupConfigShape), ETag: etagMember }),
      handler: (input, ctx) => {
        const g = ownGroup(input.Id, ctx);
        return { KeyGroupConfig: g.config, ETag: g.etag };
      },
    }),
    UpdateKeyGroup: defineOperation({
      http: { method: 'PUT', uri: `${GROUPS}/{Id}` },
      input: structure({ KeyGroupConfig: groupConfigIn, Id: inUri('Id'), IfMatch: ifMatchMember }),
      output: structure({ KeyGroup: inPayload(keyGroupShape), ETag: etagMember }),
      handler: async (input, ctx) => {
        const g = await deps.docs.update<StoredKeyGroup, StoredKeyGroup>('key-group', input.Id, ctx.accountId, noSuchGroup, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          const config = checkGroup(input.KeyGroupConfig, ctx);
          if (groupNameTaken(ctx.accountId, config.Name, doc.id)) throw new KeyGroupAlreadyExists('A key group with this name already exists.');
          const next = { ...doc, config, etag: newEtag(deps), lastModified: deps.clock.now() };
          return { doc: next, result: next };
        });
        return { KeyGroup: groupView(g), ETag: g.etag };
      },
    }),
    DeleteKeyGroup: defineOperation({
      http: { method: 'DELETE', uri: `${GROUPS}/{Id}`, code: 204 },
      input: structure({ Id: inUri('Id'), IfMatch: ifMatchMember }),
      handler: async (input, ctx) => {
        await deps.docs.update<StoredKeyGroup, void>('key-group', input.Id, ctx.accountId, noSuchGroup, (doc) => {
          checkIfMatch(input.IfMatch, doc.etag);
          const used = deps.docs.filter<StoredDistribution>('distribution', (d) =>
            d.accountId === ctx.accountId && [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])].some((b) => (b.TrustedKeyGroups?.Items ?? []).includes(doc.id)),
          );
          if (used.length) throw new ResourceInUse('Cannot delete the key group because it is in use by one or more distributions.');
          return { doc: null, result: undefined };
        });
      },
    }),
    ListKeyGroups: defineOperation({
      http: { method: 'GET', uri: GROUPS },
      input: structure({ Marker: markerMember, MaxItems: maxItemsMember }),
      output: structure({ KeyGroupList: inPayload(pageShape(structure({ KeyGroup: keyGroupShape }), 'KeyGroupSummary')) }),
      handler: (input, ctx) => {
        const p = page(deps.docs.list<StoredKeyGroup>('key-group', ctx.accountId), (g) => g.id, input.Marker, input.MaxItems);
        return {
          KeyGroupList: {
            ...(p.nextMarker ? { NextMarker: p.nextMarker } : {}),
            MaxItems: p.max,
            Quantity: p.items.length,
            ...(p.items.length ? { Items: p.items.map((g) => ({ KeyGroup: groupView(g) })) } : {}),
          },
        };
      },
    }),
  });
}
