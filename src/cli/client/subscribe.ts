/**
 * runEvents over graphql-ws (graphql-transport-ws protocol) with the token in connection_init.
 * Connection failures and auth refusals (close codes 4401/4403) become CliErrors.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Endpoint } from './args';
import { CliError, EXIT } from './errors';
import { wsUrl } from './http';

export interface RunEvent {
  runId: string;
  status: string;
  step: number;
  totalSteps: number | null;
  progress: number;
  phase: string | null;
  metrics: Record<string, number> | null;
  message: string | null;
  at: string;
}

export interface EventStream {
  close(): Promise<void>;
}

const RUN_EVENTS =
  'subscription($id: ID) { runEvents(runId: $id) { runId status step totalSteps progress phase metrics message at } }';

function toCliError(ep: Endpoint, err: unknown): CliError {
  const e = err as
    | { code?: unknown; reason?: unknown; message?: unknown }
    | Array<{ message: string; extensions?: { code?: string } }>;
  if (Array.isArray(e)) {
    const code = e[0]?.extensions?.code;
    return new CliError(
      `${e[0]?.message ?? 'subscription failed'}${code ? ` (${code})` : ''}`,
      code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? EXIT.AUTH : EXIT.SERVER_ERROR,
    );
  }
  if (typeof e?.code === 'number') {
    const reason = typeof e.reason === 'string' && e.reason ? e.reason : `close code ${e.code}`;
    if (e.code === 4401 || e.code === 4403)
      return new CliError(`the server refused the WebSocket connection: ${reason}`, EXIT.AUTH);
    return new CliError(`the WebSocket to ${wsUrl(ep)} closed: ${reason}`, EXIT.UNAVAILABLE);
  }
  const msg = typeof e?.message === 'string' && e.message ? e.message : 'connection failed';
  return new CliError(`cannot open a WebSocket to ${wsUrl(ep)}: ${msg}`, EXIT.UNAVAILABLE);
}

/**
 * Subscribes to one run's events (all runs when runId is null). `onError` gets a CliError when
 * the stream cannot be opened or breaks for good (after graphql-ws's own retries, about 30 s).
 */
export function subscribeRunEvents(
  ep: Endpoint,
  runId: string | null,
  onEvent: (e: RunEvent) => void,
  onError: (e: CliError) => void,
  onReconnected: () => void = () => undefined,
): EventStream {
  let connections = 0;
  const client: Client = createClient({
    url: wsUrl(ep),
    webSocketImpl: WebSocket,
    connectionParams: ep.token ? { authorization: `Bearer ${ep.token}` } : {},
    retryAttempts: 5,
    // auth refusals are final; everything else (a restart of the server) is retried
    shouldRetry: (e) =>
      !(typeof (e as { code?: unknown })?.code === 'number' && [4401, 4403].includes((e as { code: number }).code)),
    on: { connected: () => (connections++ > 0 ? onReconnected() : undefined) },
  });
  client.subscribe<{ runEvents: RunEvent }>(
    { query: RUN_EVENTS, variables: { id: runId } },
    {
      next: (r) => {
        if (r.errors?.length) onError(toCliError(ep, r.errors));
        else if (r.data) onEvent(r.data.runEvents);
      },
      error: (err) => onError(toCliError(ep, err)),
      complete: () => undefined,
    },
  );
  return { close: async () => void (await client.dispose()) };
}
