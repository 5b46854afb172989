/**
 * Acknowledged delivery on a WebSocket API's connections: which upgrades get a mailbox, and
 * what a connection with one does differently (acknowledgement frames consumed, not routed;
 * everything posted to it goes through the mailbox). The data plane calls in at three points:
 * `clientFor` at the upgrade (after a `$connect` authorizer), `open` once the connection is
 * up, and the session's `consume`/`post`/`close` for its frames, posts and close.
 */
import type { ApiResponse, UpgradeRequest, WebSocketConnection } from '../../../server/api.js';
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

export class AcknowledgedDelivery {
  constructor(readonly mailboxes: Mailboxes) {}

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

  /** Gives an open connection its client's mailbox: unacknowledged messages are sent again, in order. */
  async open(key: MailboxKey, conn: WebSocketConnection): Promise<AckSession> {
    const session = new AckSession(this.mailboxes, key);
    session.detach = await this.mailboxes.attach(key, {
      send: (frame) => conn.send(frame),
      replaced: () => conn.close(REPLACED_CLOSE_CODE, 'Replaced by a newer connection of this client'),
    });
    return session;
  }

  /** Writes a message durably into a client's mailbox (`POST /@clients/{clientId}`); answers its seq. */
  post(key: MailboxKey, body: Buffer): Promise<number> {
    return this.mailboxes.post(key, body);
  }
}

/** One connection's part in acknowledged delivery. */
export class AckSession {
  detach: () => void = () => {};

  constructor(
    private readonly mailboxes: Mailboxes,
    readonly key: MailboxKey,
  ) {}

  /**
   * Handles a client frame if it is an acknowledgement (`{"ack": n}`): true when it was (it is
   * not routed to the API's routes), false for any other frame.
   */
  consume(data: string | Buffer): boolean | Promise<boolean> {
    const ack = parseAck(data);
    if (ack === undefined) return false;
    if (ack === 'invalid') return true;
    return this.mailboxes.ack(this.key, ack).then(() => true);
  }

  /** PostToConnection on this connection: durable in the mailbox before it answers. */
  post(body: Buffer): Promise<number> {
    return this.mailboxes.post(this.key, body);
  }

  close(): void {
    this.detach();
  }
}
