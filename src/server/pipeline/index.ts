/**
 * The request pipeline, assembled once, read top to bottom. A cross-cutting concern (tracing,
 * metrics, throttling, authorizers) is one more step in this list; no step knows the others.
 */
import type { Ids } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import type { SigV4Verifier } from '../../protocols/sigv4.js';
import type { EndpointTarget } from '../endpoints.js';
import type { HostRouter } from '../host-router.js';
import type { Router } from '../router.js';
import { accessLogStep } from './access-log.js';
import { authStep } from './auth.js';
import { bodyStep } from './body.js';
import { chain, type Next } from './context.js';
import { coralInflateStep, coralStep } from './coral.js';
import { decodeStep } from './decode.js';
import { encodeStep } from './encode.js';
import { endpointStep } from './endpoint.js';
import { errorsStep } from './errors.js';
import { handlerStep } from './handler.js';
import { healthStep } from './health.js';
import { requestIdStep } from './request-id.js';
import { responseHeadersStep } from './response-headers.js';
import { routeStep } from './route.js';

export interface PipelineDeps {
  ids: Ids;
  log: Logger;
  verifier: SigV4Verifier;
  hosts: HostRouter<EndpointTarget>;
  router: Router;
  health(): { ready: boolean; body: Record<string, unknown> };
}

export function requestPipeline(d: PipelineDeps): Next {
  return chain([
    requestIdStep(d.ids), //      every request gets its id
    accessLogStep(d.log), //      one debug line per request, with its status and time
    healthStep(d.health), //      GET /_nimbus/health
    routeStep(d.hosts, d.router), // host router ▶ AWS route ▶ REST operation
    coralStep, //                 DynamoDB: its request ids, gzip answers, x-amz-crc32
    bodyStep(d.verifier), //      limits, 100-continue, buffer or stream the body
    endpointStep(d.verifier, d.log), // plain HTTP endpoints answer here
    responseHeadersStep, //       the service's own headers on every answer (CORS)
    errorsStep(d.log), //         AwsError ▶ the protocol's error shape
    authStep(d.verifier), //      SigV4 (or anonymous where the service claims it)
    coralInflateStep, //          DynamoDB: gzip/deflate request bodies, once verified
    decodeStep, //                wire ▶ typed input
    encodeStep, //                typed output ▶ wire
    handlerStep, //               the operation
  ]);
}
