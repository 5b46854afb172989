/**
 * The request pipeline's shared pieces: the context one request carries through the steps, the
 * step interface, and `chain`, which links steps once at startup (no closures per request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBinding, RestRoutes, RouteMatch } from '../../protocols/rest.js';
import type { SigV4Identity } from '../../protocols/sigv4.js';
import type { EndpointMatch, Operation } from '../../services/service.js';
import type { ApiRequest, ApiResponse } from '../api.js';
import type { Route } from '../router.js';

export type RestOperation = Operation & { http: HttpBinding };

/** One request on its way through the pipeline; each step fills in what it learns. */
export interface RequestCtx {
  /** The node request, for the body step only. */
  readonly incoming: IncomingMessage;
  /** The node response, for `100 Continue` only: the server writes the answer. */
  readonly response: ServerResponse;
  /** The client sent `Expect: 100-continue` and waits for a go-ahead before its body. */
  readonly expectsContinue: boolean;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** The HTTP-free request; `body` (or `stream`) is filled in by the body step. */
  req: ApiRequest;
  /** The host router's match: a service's host or path-style endpoint. */
  endpoint: EndpointMatch | undefined;
  /** The AWS API route (service and wire protocol), for requests that are not a plain endpoint's. */
  route: Route | undefined;
  /** REST protocols: the path operations are matched against (virtual-hosted buckets rewritten path-style). */
  restPath: string;
  /** REST protocols: the parsed query. */
  restQuery: URLSearchParams | undefined;
  /** REST protocols: the routed service's compiled operations. */
  restRoutes: RestRoutes<RestOperation> | undefined;
  /** REST protocols: the operation the method and path select, when one does. */
  restMatch: RouteMatch<RestOperation> | undefined;
  identity: SigV4Identity | undefined;
  anonymous: boolean;
  operationName: string;
  operation: Operation | undefined;
  input: Record<string, unknown> | undefined;
  output: unknown;
  /** Answer with `Connection: close` (a body left unread). */
  closeConnection: boolean;
  /** Drop the connection without an answer (the client broke off its body). */
  destroy: boolean;
}

export function newRequestCtx(incoming: IncomingMessage, response: ServerResponse, req: ApiRequest, expectsContinue: boolean, startedAt: number): RequestCtx {
  return {
    incoming,
    response,
    expectsContinue,
    startedAt,
    req,
    endpoint: undefined,
    route: undefined,
    restPath: req.path,
    restQuery: undefined,
    restRoutes: undefined,
    restMatch: undefined,
    identity: undefined,
    anonymous: false,
    operationName: '',
    operation: undefined,
    input: undefined,
    output: undefined,
    closeConnection: false,
    destroy: false,
  };
}

export type Next = (ctx: RequestCtx) => Promise<ApiResponse>;

/** One step: does its part and calls `next` for the rest of the chain (or answers itself). */
export type Step = (ctx: RequestCtx, next: Next) => Promise<ApiResponse>;

/** Links the steps, first to last, once: each step's `next` is a function made here. */
export function chain(steps: readonly Step[]): Next {
  let next: Next = () => Promise.reject(new Error('the request pipeline ended without an answer'));
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const after = next;
    next = (ctx) => step(ctx, after);
  }
  return next;
}
