/**
 * Acknowledged delivery on a WebSocket API's connections: which upgrades get a mailbox, and
 * what a connection with one does differently (acknowledgement frames consumed, not routed;
 * everything posted to it goes through the mailbox). The data plane asks `clientFor` at the
 * upgrade (after a `$connect` authorizer) and records the answer in the connection's facts;
 * the rest hangs on the connection registry's hooks (open, frames, close), and the management
 * API hands over PostToConnection for such connections and `POST /{stage}/@clients/{clientId}`.
 */
import { AwsError } from '../../../protocols/errors.js';
import type { ApiRequest, ApiResponse, UpgradeRequest } from '../../../server/api.js';
import type { InvokeCall } from '../deps.js';
import type { StoredDocument } from '../repo.js';
import type { Connections, LiveConnection } from '../ws/connections.js';
import { error, MAX_POST_BYTES } from '../ws/management.js';
import type { Mailboxes } from './mailboxes.js';
import { acknowledgedDelivery, isClientId, offersSubprotocol, parseAck } from './protocol.js';
import type { MailboxKey } from './repo.js';

/** Close code sent to a connection whose client connected again elsewhere. */
export const REPLACED_CLOSE_CODE = 4001;

const refusal = (status: number, message: string): { refuse: ApiResponse } => ({
  refuse: { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) },
});

/** What the upgrade asks for: a mailbox (`clientId`), plain AWS behaviour (undefined), or a refusal. */
export type ClientDecision = { clientId: string } | { refuse: ApiResponse } | undefined;

const keyOf = (live: LiveConnection): MailboxKey => ({ accountId: live.accountId, apiId: live.apiId, clientId: live.clientId! });

export class AcknowledgedDelivery {
  /** Connections with a mailbox, by connection id: their detach, once attached. */
  private readonly attached = new Map<string, { detach?: () => void; closed: boolean }>();

  constructor(
    readonly mailboxes: Mailboxes,
    private readonly connections: Connections,
  ) {
    connections.onOpen((live) => {
      if (live.clientId !== undefined) this.open(live);
    });
    connections.onFrame((live, data) => (live.clientId !== undefined ? this.consume(live, data) : false));
    connections.onClose((live) => {
      const a = this.attached.get(live.connectionId);
      if (!a) return;
      this.attached.delete(live.connectionId);
      a.closed = true;
      a.detach?.();
    });
  }

  /**
   * Whether an upgrade gets a mailbox: the API is tagged `nimbus:delivery` = `acknowledged`
   * and the client offers the subprotocol `nimbus.ack.v1`. Its client id is the `$connect`
   * authorizer's `clientId` (context), which a `clientId` query parameter must then match,
   * else the query parameter. Without a valid id the upgrade is refused (400; 403 when it
   * contradicts the authorizer's).
   */
  clientFor(tags: Record<string, string> | undefined, req: UpgradeRequest, authorizerContext?: Record<string, unknown>): ClientDecision {
    if (!acknowledgedDelivery(tags) || !offersSubprotocol(req.headers['sec-websocket-protocol'])) return undefined;
    const asked = new URLSearchParams(req.query).get('clientId') ?? undefined;
    const granted = authorizerContext?.clientId;
    if (granted !== undefined && granted !== null) {
      const id = String(granted);
      if (!isClientId(id)) return refusal(403, 'Forbidden');
      if (asked !== undefined && asked !== id) return refusal(403, 'Forbidden');
      return { clientId: id };
    }
    if (asked === undefined) return refusal(400, 'Acknowledged delivery (nimbus.ack.v1) needs the query parameter clientId');
    if (!isClientId(asked)) return refusal(400, 'Invalid clientId: 1 to 128 characters of letters, digits and -._~:@+=');
    return { clientId: asked };
  }

  /** Gives an open connection its client's mailbox: unacknowledged messages are sent again, in order, before new ones. */
  private open(live: LiveConnection): void {
    const a: { detach?: () => void; closed: boolean } = { closed: false };
    this.attached.set(live.connectionId, a);
    const id = live.connectionId;
    void this.mailboxes
      .attach(keyOf(live), {
        send: async (frame) => {
          if ((await this.connections.send(id, frame)) === 'gone') throw new Error('the connection is gone');
        },
        replaced: () => void this.connections.close(id, REPLACED_CLOSE_CODE, 'Replaced by a newer connection of this client'),
      })
      .then((detach) => {
        if (a.closed) detach();
        else a.detach = detach;
      });
  }

  /** An acknowledgement frame (`{"ack": n}`) is consumed (not routed); any other frame is not. */
  private consume(live: LiveConnection, data: string | Buffer): boolean | Promise<boolean> {
    const ack = parseAck(data);
    if (ack === undefined) return false;
    if (ack === 'invalid') return true;
    return this.mailboxes.ack(keyOf(live), ack).then(
      () => true,
      () => true,
    );
  }

  /** PostToConnection to a connection with a mailbox: written durably, then answered (seq in `x-nimbus-seq`). */
  async postToConnection(live: LiveConnection, body: Buffer, requestId: string): Promise<ApiResponse> {
    return this.posted(keyOf(live), body, requestId, (seq) => ({ status: 200, headers: { 'x-amzn-requestid': requestId, 'x-nimbus-seq': String(seq) }, body: '' }));
  }

  /**
   * `POST /{stage}/@clients/{clientId}` on the management endpoint, signed as PostToConnection
   * is: the message goes into the client's mailbox whether or not it is connected; 200
   * `{"seq": n}` once durable.
   */
  async postToClient(req: ApiRequest, api: StoredDocument & { tags?: Record<string, string> }, call: InvokeCall): Promise<ApiResponse> {
    const rid = req.requestId;
    let identity;
    try {
      identity = call.verify();
    } catch (e) {
      return error(403, 'ForbiddenException', (e as Error).message || 'Forbidden', rid);
    }
    if (identity.service !== 'execute-api' || identity.accountId !== api.accountId) return error(403, 'ForbiddenException', 'Forbidden', rid);
    if (!acknowledgedDelivery(api.tags)) return error(400, 'BadRequestException', 'Acknowledged delivery is not enabled for this API (tag nimbus:delivery = acknowledged)', rid);
    let clientId: string;
    try {
      clientId = decodeURIComponent(/\/@clients\/([^/]+)/.exec(call.path)![1]!);
    } catch {
      clientId = '';
    }
    if (!isClientId(clientId)) return error(400, 'BadRequestException', 'Invalid clientId: 1 to 128 characters of letters, digits and -._~:@+=', rid);
    if (req.body.length > MAX_POST_BYTES) return error(413, 'PayloadTooLargeException', `Message payload size exceeds the limit of ${MAX_POST_BYTES} bytes`, rid);
    return this.posted({ accountId: api.accountId, apiId: api.id, clientId }, req.body, rid, (seq) => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': rid },
      body: JSON.stringify({ seq }),
    }));
  }

  private async posted(key: MailboxKey, body: Buffer, requestId: string, answer: (seq: number) => ApiResponse): Promise<ApiResponse> {
    try {
      return answer(await this.mailboxes.post(key, body));
    } catch (e) {
      if (e instanceof AwsError) return error(e.status, e.code, e.message, requestId);
      throw e;
    }
  }
}
