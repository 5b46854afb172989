/**
 * API Gateway (signing name `apigateway`, restJson1) as two plugins, as AWS has two APIs whose
 * operation names overlap (CreateStage, GetTags, ...): `apigateway`, the v1 control plane (REST
 * APIs, API keys, usage plans: `/restapis`, `/apikeys`, `/usageplans`, `/tags`), and
 * `apigatewayv2`, the v2 one (HTTP APIs: every URI under `/v2/`, which the router gives it by
 * that prefix). They share one store of documents; every API of either kind is served on its
 * invoke URL by the execute-api endpoint (see execute-api.ts).
 */
import type { Violation } from '../../protocols/shapes.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { AcknowledgedDelivery } from './ack/delivery.js';
import { CLIENT_PATH, serveClientLibrary } from './ack/client-library.js';
import { CognitoPools } from './shared/cognito.js';
import { Mailboxes, type MailboxOptions } from './ack/mailboxes.js';
import { sqliteMailboxRepo } from './ack/repo.sqlite.js';
import type { GatewayDeps } from './deps.js';
import { Documents } from './engine/documents.js';
import { apigatewayValidationError, BadRequestException } from './errors.js';
import { executeApiHosts } from './execute-api.js';
import { sqliteApiGatewayRepo } from './repo.sqlite.js';
import { restApis } from './v1/index.js';
import { httpApis, sharedSeams } from './v2/index.js';
import { webSocketPlane } from './ws/plane/index.js';
import { callbackDomain } from './ws/domain.js';
import { Connections } from './ws/connections.js';

export interface ApiGatewayOptions {
  /** Acknowledged delivery's mailboxes (WebSocket APIs tagged `nimbus:delivery` = `acknowledged`). */
  mailbox?: MailboxOptions;
  /** Cognito user pools' endpoint for authorizers (--cognito-endpoint); AWS's when absent. */
  cognitoEndpoint?: string;
}

export async function apigatewayService(env: ServiceEnv, opts: ApiGatewayOptions = {}): Promise<ServicePlugin[]> {
  const repo = await env.store.repo({ sqlite: sqliteApiGatewayRepo });
  const documents = new Documents(repo, env.store);
  await env.store.caches.register('apigateway.documents', () => documents.reload());
  const mailboxes = new Mailboxes(await env.store.repo({ sqlite: sqliteMailboxRepo }), env.store, env.clock, env.log, opts.mailbox);
  await env.store.caches.register('apigateway.mailboxes', () => mailboxes.reload());
  const connections = new Connections(() => env.clock.now());
  const delivery = new AcknowledgedDelivery(mailboxes, connections, env.log);
  const deps: GatewayDeps = { documents, repo, store: env.store, clock: env.clock, ids: env.ids, log: env.log, region: env.region, internal: env.internal, endpoint: env.endpoint, outbound: env.outbound, connections, delivery, cognito: new CognitoPools(opts.cognitoEndpoint) };
  const v1 = restApis(deps);
  const v2 = httpApis(deps);
  const common = {
    signingName: 'apigateway',
    validationError: (violations: Violation[]) => apigatewayValidationError(violations),
  };
  return [
    {
      ...common,
      name: 'apigateway',
      restJson: { malformedBody: () => new BadRequestException('Invalid Request Body') },
      operations: v1.operations,
      hosts: [...executeApiHosts(deps, [v2.dataPlane, v1.dataPlane], webSocketPlane(deps, sharedSeams(deps), callbackDomain(() => env.tls?.()))), { pathStyle: CLIENT_PATH, http: (req) => serveClientLibrary(req) }],
      stop: () => mailboxes.stop(),
      health: () => ({ acknowledgedDelivery: mailboxes.metrics() }),
    },
    {
      ...common,
      name: 'apigatewayv2',
      restJson: { malformedBody: () => new BadRequestException('Invalid Request Body'), pathPrefix: '/v2/' },
      operations: v2.operations,
    },
  ];
}
