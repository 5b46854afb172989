/**
 * The SNS plugin: standard and FIFO topics over the query protocol, subscriptions of SQS
 * queues, Lambda functions and HTTP/HTTPS endpoints, filter policies, and a durable fan-out: a
 * Publish commits the message with its pending deliveries, which a drainer delivers after the
 * commit (and after a restart). Beside the API, unsigned GETs serve what HTTP subscribers are
 * sent: the SubscribeURL and UnsubscribeURL (`/?Action=...` as in SNS, and their older
 * /_nimbus/sns/ forms; their token is the credential) and the signing certificate.
 */
import { isIP } from 'node:net';
import { AwsError } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';
import type { ApiRequest, ApiResponse } from '../../server/api.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { CERT_PATH, LINKS_PREFIX as PREFIX } from './engine/envelope.js';
import { SnsEngine } from './engine/index.js';
import { AuthorizationError, invalidParameter, NotFound, ValidationError } from './errors.js';
import { preparePublish } from './engine/prepare-publish.js';
import { publishOperations } from './operations/publish.js';
import { subscriptionOperations } from './operations/subscriptions.js';
import { topicOperations } from './operations/topics.js';
import { SNS_MIGRATIONS, SqliteSnsRepo } from './repo.sqlite.js';

/** Shape violations as SNS reports them: a missing member, or a value of the wrong type. */
function validationError(violations: Violation[]) {
  const v = violations[0]!;
  if (v.kind === 'missing') return new ValidationError(validationMessage(fromViolations([v])));
  return invalidParameter(v.member);
}

export function createSnsService(env: ServiceEnv): ServicePlugin {
  env.store.migrate('sns', SNS_MIGRATIONS);
  const engine = new SnsEngine(new SqliteSnsRepo(env.store.db, env.store), env);
  // Other services (S3 event notifications) publish through these, as their service principal.
  env.internal.register('sns.checkPublisher', ({ topicArn, from, sourceArn, sourceAccount }) => {
    const topic = engine.topics.byArn(topicArn);
    if (!topic) return 'missing';
    return engine.topics.allowsService(topic, from, sourceArn, sourceAccount) ? 'ok' : 'denied';
  });
  env.internal.register('sns.publish', async ({ topicArn, message, subject, from, sourceArn, sourceAccount }) => {
    const topic = engine.topics.byArn(topicArn);
    if (!topic) throw new NotFound('Topic does not exist');
    if (!engine.topics.allowsService(topic, from, sourceArn, sourceAccount)) {
      throw new AuthorizationError(`${from} is not authorized to perform: SNS:Publish on resource: ${topicArn}`);
    }
    const [result] = await engine.publisher.publish(topic, [preparePublish(topic, { Message: message, Subject: subject })]);
    return { messageId: result!.MessageId };
  });
  return {
    name: 'sns',
    signingName: 'sns',
    query: { xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/' },
    operations: {
      ...topicOperations(engine),
      ...subscriptionOperations(engine),
      ...publishOperations(engine),
    },
    httpEndpoint: {
      matches: (req) => req.path.startsWith(PREFIX) || isSnsLink(req, env.endpoint),
      handle: (req) => serveLinks(engine, req),
    },
    validationError,
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const xml = (status: number, body: string): ApiResponse => ({ status, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0"?>\n${body}\n` });

/**
 * SNS's own SubscribeURL and UnsubscribeURL: an unsigned GET of `/?Action=ConfirmSubscription`
 * or `/?Action=Unsubscribe` (a signed request of those goes to the query API as usual).
 */
function isSnsLink(req: Pick<ApiRequest, 'method' | 'path' | 'headers' | 'query'>, endpoint: () => string): boolean {
  if (req.path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) return false;
  if (!isServiceHost(req.headers.host, endpoint)) return false;
  const action = new URLSearchParams(req.query).get('Action');
  return (action === 'ConfirmSubscription' || action === 'Unsubscribe') && !req.query.includes('X-Amz-Signature');
}

/**
 * Whether a request is for Nimbus's own API host (its endpoint's, an address, or `localhost`), not for a host
 * another service answers (a bucket's `<bucket>.localhost`, a website, a function URL), whose
 * own `/?Action=...` pages are theirs.
 */
function isServiceHost(host: string | string[] | undefined, endpoint: () => string): boolean {
  if (typeof host !== 'string') return true;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || isIP(name) !== 0 || name === new URL(endpoint()).hostname;
}

/** The unsigned GETs HTTP subscribers are sent: SubscribeURL, UnsubscribeURL, SigningCertURL. */
async function serveLinks(engine: SnsEngine, req: ApiRequest): Promise<ApiResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return xml(405, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>MethodNotAllowed</Code><Message>GET only</Message></Error></ErrorResponse>`);
  const q = new URLSearchParams(req.query);
  try {
    const action = req.path === '/' ? q.get('Action') : undefined;
    switch (action === 'ConfirmSubscription' ? `${PREFIX}confirm` : action === 'Unsubscribe' ? `${PREFIX}unsubscribe` : req.path) {
      case CERT_PATH:
        return { status: 200, headers: { 'content-type': 'application/x-x509-ca-cert' }, body: await engine.signer.certificate() };
      case `${PREFIX}confirm`: {
        const s = await engine.subscriptions.confirm(q.get('TopicArn') ?? '', q.get('Token') ?? '', { signed: false, authenticateOnUnsubscribe: false });
        return xml(
          200,
          `<ConfirmSubscriptionResponse xmlns="${XMLNS}"><ConfirmSubscriptionResult><SubscriptionArn>${xmlEscape(s.arn)}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
        );
      }
      case `${PREFIX}unsubscribe`:
        await engine.subscriptions.unsubscribeByToken(q.get('SubscriptionArn') ?? '', q.get('Token') ?? undefined);
        return xml(200, `<UnsubscribeResponse xmlns="${XMLNS}"><ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></UnsubscribeResponse>`);
      default:
        return xml(404, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Not found</Message></Error></ErrorResponse>`);
    }
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    return xml(
      e.status,
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${xmlEscape(e.queryCode)}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${req.requestId}</RequestId></ErrorResponse>`,
    );
  }
}
