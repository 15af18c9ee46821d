/**
 * The dashboard's only way to the server: GraphQL over HTTP (POST /graphql) and graphql-ws
 * subscriptions on the same path. The API token lives in localStorage and goes out as
 * `Authorization: Bearer …` on HTTP and as `{ authorization: "Bearer …" }` in connection_init.
 */
import { createClient, type Client } from 'graphql-ws';

const TOKEN_KEY = 'ticketlab.token';

export function getToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  wsClient?.dispose();
  wsClient = null;
}

export function authHeaders(): Record<string, string> {
  const t = getToken();
  return t ? { authorization: `Bearer ${t}` } : {};
}

export interface GqlError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [k: string]: unknown };
}

/** A failed request: every GraphQL error, or the HTTP/network failure, in readable words. */
export class ApiError extends Error {
  constructor(readonly errors: GqlError[]) {
    super(errors.map(describeError).join('\n'));
  }
}

export function describeError(e: GqlError): string {
  const code = e.extensions?.code ? `${e.extensions.code}: ` : '';
  const where = e.path?.length ? ` (at ${e.path.join('.')})` : '';
  return `${code}${e.message}${where}`;
}

export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError([{ message: `server unreachable (${String(err)})`, extensions: { code: 'NETWORK' } }]);
  }
  let body: { data?: T | null; errors?: GqlError[] } | null = null;
  try {
    body = (await res.json()) as { data?: T | null; errors?: GqlError[] };
  } catch {
    throw new ApiError([{ message: `HTTP ${res.status} ${res.statusText}`, extensions: { code: 'HTTP' } }]);
  }
  if (body?.errors?.length) throw new ApiError(body.errors);
  if (!body?.data) throw new ApiError([{ message: `HTTP ${res.status}: no data`, extensions: { code: 'HTTP' } }]);
  return body.data;
}

let wsClient: Client | null = null;
let active = 0;
const wsListeners = new Set<(state: string) => void>();

function client(): Client {
  if (!wsClient) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    wsClient = createClient({
      url,
      // Read at each (re)connect, so a token pasted later is used by the next connection.
      connectionParams: () => (getToken() ? { authorization: `Bearer ${getToken()}` } : {}),
      // Follow the server through restarts (backoff capped at 10 s), but not past a refused
      // token (4401/4403): that is reported, and pasting a token reconnects.
      retryAttempts: Infinity,
      shouldRetry: (e) => !(e instanceof CloseEvent && (e.code === 4401 || e.code === 4403)),
      retryWait: (n) => new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** n) + Math.random() * 500)),
      on: {
        connected: () => wsListeners.forEach((l) => l('live')),
        // The client closes the socket when no subscription is open (lazy): that is idle, not lost.
        closed: () => wsListeners.forEach((l) => l(active > 0 ? 'disconnected' : 'idle')),
        connecting: () => wsListeners.forEach((l) => l('connecting')),
      },
    });
  }
  return wsClient;
}

export function onConnectionState(l: (state: string) => void): void {
  wsListeners.add(l);
}

/** Subscribes; returns the unsubscribe function. Errors go to onError in readable words. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (d: T) => void, onError: (msg: string) => void): () => void {
  active++;
  let open = true;
  const stop = client().subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) onError(r.errors.map((e) => describeError(e as GqlError)).join('\n'));
        if (r.data) onData(r.data as T);
      },
      error: (e) => onError(Array.isArray(e) ? e.map((x: GqlError) => describeError(x)).join('\n') : e instanceof CloseEvent ? `connection closed (${e.code} ${e.reason})` : String(e)),
      complete: () => undefined,
    },
  );
  return () => {
    if (open) { open = false; active--; }
    stop();
  };
}
