/**
 * A bare graphql-transport-ws client over `ws`: the tests see every message and close code as
 * sent (the graphql-ws client would retry, and hide oversized or refused messages).
 */
import WebSocket from 'ws';
import { isProbe, probeEvent, publishUntil } from '../helpers/subscribed';

export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

export class RawWs {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];
  private closeInfo: Closed | null = null;
  /** operations whose probe events (helpers/subscribed.ts) are counted here, not kept in `messages`. */
  private readonly probed = new Map<string, boolean>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as WsMessage;
      if (
        m.type === 'next' &&
        m.id !== undefined &&
        this.probed.has(m.id) &&
        isProbe((m.payload as { data?: { runEvents?: { step?: number } } })?.data?.runEvents)
      ) {
        this.probed.set(m.id, true);
        return;
      }
      this.messages.push(m);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: String(reason) };
        resolve(this.closeInfo);
        this.wake();
      }),
    );
    socket.on('error', () => undefined); // a refused frame also errors; the close event says why
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Connects and sends connection_init; resolves once acknowledged or closed. */
  static async open(url: string, initPayload?: Record<string, unknown>): Promise<RawWs> {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const c = new RawWs(socket);
    c.send({ type: 'connection_init', ...(initPayload ? { payload: initPayload } : {}) });
    await c.waitFor((m) => m.type === 'connection_ack');
    return c;
  }

  get isClosed(): Closed | null {
    return this.closeInfo;
  }

  send(msg: WsMessage): void {
    this.socket.send(JSON.stringify(msg));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.send({ type: 'subscribe', id, payload: { query, variables } });
  }

  complete(id: string): void {
    this.send({ type: 'complete', id });
  }

  /** The first message (already received or coming) matching `pred`; null when the socket closed first. */
  async waitFor(pred: (m: WsMessage) => boolean, timeoutMs = 10_000): Promise<WsMessage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (this.closeInfo) return null;
      if (Date.now() > deadline)
        throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first `next` or `error` for operation `id`. */
  result(id: string, timeoutMs?: number): Promise<WsMessage | null> {
    return this.waitFor((m) => m.id === id && (m.type === 'next' || m.type === 'error'), timeoutMs);
  }

  /**
   * From now on, probe events on operation `id` are not kept; whether one came is `settled`'s answer,
   * which is also true once the operation ended (error/complete) or the socket closed: the test then
   * sees why.
   */
  dropProbes(id: string): void {
    if (!this.probed.has(id)) this.probed.set(id, false);
  }

  settled(id: string): boolean {
    return (
      this.probed.get(id) === true ||
      this.closeInfo !== null ||
      this.messages.some((m) => m.id === id && (m.type === 'error' || m.type === 'complete'))
    );
  }

  async close(): Promise<void> {
    if (!this.closeInfo) this.socket.close(1000);
    await this.closed;
  }
}

/** `extensions.code` of each error of an `error` message or a `next` result. */
export function wsCodes(m: WsMessage | null): string[] {
  if (!m) return [];
  const errors =
    m.type === 'error'
      ? (m.payload as Array<{ extensions?: { code?: string } }>)
      : ((m.payload as { errors?: Array<{ extensions?: { code?: string } }> })?.errors ?? []);
  return errors.map((e) => e.extensions?.code ?? '(none)');
}

/**
 * Resolves once each (socket, operation) subscription of run `runId`'s events is in place on the
 * server: probe events are published until one reached each of them (graphql-ws acknowledges no
 * subscribe, and an event published before the subscription is registered is missed).
 */
export async function untilSubscribed(
  databaseUrl: string,
  runId: string,
  subs: Array<readonly [RawWs, string]>,
): Promise<void> {
  for (const [c, id] of subs) c.dropProbes(id);
  await publishUntil(
    databaseUrl,
    () => probeEvent(runId),
    () => subs.every(([c, id]) => c.settled(id)),
  );
}
