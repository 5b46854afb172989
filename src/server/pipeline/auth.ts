/**
 * SigV4, before anything else is looked at: even a request nobody routes is verified first, so
 * an unsigned request learns nothing about what exists. An unsigned request reaches a service
 * that claimed it (S3, for buckets whose policy decides) as anonymous.
 */
import { InvalidAction } from '../../protocols/errors.js';
import { isSigV2 } from '../../protocols/sigv2.js';
import { isUnsigned, requireSigningService, type SigV4Verifier } from '../../protocols/sigv4.js';
import type { Step } from './context.js';

export function authStep(verifier: SigV4Verifier): Step {
  return (ctx, next) => {
    const { req, route } = ctx;
    // A CORS preflight (OPTIONS) carries no credentials of its own: sent to a presigned URL, its
    // query's signature is for the request it precedes, so it is not verified as its own.
    const preflight = req.method === 'OPTIONS' && req.headers.authorization === undefined;
    // S3 (the service that claims unsigned requests) also takes Signature Version 2.
    const v2 = route !== undefined && route.service.claimsUnsigned !== undefined && !preflight && isSigV2(req);
    const anonymous = route !== undefined && route.service.claimsUnsigned !== undefined && !v2 && (isUnsigned(req) || preflight);
    ctx.anonymous = anonymous;
    ctx.identity = anonymous
      ? { accessKeyId: '', accountId: '', region: '', service: route.service.signingName, payloadSigned: false, payloadHash: 'UNSIGNED-PAYLOAD' }
      : v2
        ? verifier.verifyV2(req, ctx.endpoint?.labels.bucket)
        : verifier.verify(req.stream ? { ...req, streamed: true } : req);
    if (!route) throw new InvalidAction('The action or operation requested is invalid. Verify that the action is typed correctly.');
    // A signature is good for the service its credential scope names, and no other (the
    // route may have come from X-Amz-Target rather than from the scope).
    requireSigningService(ctx.identity, route.service.signingName);
    return next(ctx);
  };
}
