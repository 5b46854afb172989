/**
 * The SNS plugin: standard and FIFO topics over the query protocol, subscriptions of SQS
 * queues, Lambda functions and HTTP/HTTPS endpoints, filter policies, and a durable fan-out: a
 * Publish commits the message with its pending deliveries, which a drainer delivers after the
 * commit (and after a restart). Beside the API, unsigned GETs serve what HTTP subscribers are
 * sent: the SubscribeURL and UnsubscribeURL (`/?Action=...` as in SNS, and their older
 * /_nimbus/sns/ forms; their token is the credential) and the signing certificate.
 */
import { AwsError } from '../../protocols/errors.js';
import type { Violation } from '../../protocols/shapes.js';
import { fromViolations, validationMessage } from '../../protocols/validate.js';
import type { ApiRequest, ApiResponse } from '../../server/api.js';
import type { RouteHead } from '../../server/host-router.js';
import type { ServiceEnv, ServicePlugin } from '../service.js';
import { CERT_PATH, LINKS_PREFIX as PREFIX } from './engine/envelope.js';
import { SnsEngine } from './engine/index.js';
import { AuthorizationError, invalidParameter, NotFound, ValidationError } from './errors.js';
import { preparePublish } from './engine/prepare-publish.js';
import { publishOperations } from './operations/publish.js';
import { subscriptionOperations } from './operations/subscriptions.js';
import { topicOperations } from './operations/topics.js';
import { sqliteSnsRepo } from './repo.sqlite.js';

/** Shape violations as SNS reports them: a missing member, or a value of the wrong type. */
function validationError(violations: Violation[]) {
  const v = violations[0]!;
  if (v.kind === 'missing') return new ValidationError(validationMessage(fromViolations([v])));
  return invalidParameter(v.member);
}

export async function createSnsService(env: ServiceEnv): Promise<ServicePlugin> {
  const engine = new SnsEngine(await env.store.repo({ sqlite: sqliteSnsRepo }), env);
  await env.store.caches.register('sns.topics', () => engine.topics.reload());
  await env.store.caches.register('sns.subscriptions', () => engine.subscriptions.reload());
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
    // The links HTTP subscribers are sent, on the API host: /_nimbus/sns/..., and SNS's own
    // `/?Action=...` forms (another service's host, a bucket's or a function URL's, is theirs).
    hosts: [
      { pathStyle: PREFIX, http: (req) => serveLinks(engine, req) },
      { pathStyle: '/', exact: true, when: isSnsLink, http: (req) => serveLinks(engine, req) },
    ],
    validationError,
    start: () => void engine.start().catch((e) => env.log.error('sns start failed', { error: e instanceof Error ? e.stack : String(e) })),
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
function isSnsLink(req: RouteHead): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) return false;
  const action = new URLSearchParams(req.query).get('Action');
  return (action === 'ConfirmSubscription' || action === 'Unsubscribe') && !req.query.includes('X-Amz-Signature');
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
