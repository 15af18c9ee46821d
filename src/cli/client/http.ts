/**
 * GraphQL over HTTP with the global fetch, and plain GETs of the export routes. Failures become
 * CliErrors whose message is what a user needs: the server's error message and code, or why the
 * server could not be reached.
 */
import type { Endpoint } from './args';
import { CliError, EXIT, exitCodeFor } from './errors';

interface GqlError {
  message: string;
  extensions?: { code?: string };
}

function headers(ep: Endpoint, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(ep.token ? { authorization: `Bearer ${ep.token}` } : {}) };
}

/** Why a fetch failed, from undici's cause chain (ECONNREFUSED, ENOTFOUND, …). */
function unreachable(ep: Endpoint, err: unknown): CliError {
  let cause: unknown = err;
  let code: string | undefined;
  let detail = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 5 && cause && typeof cause === 'object'; i++) {
    const c = cause as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof c.code === 'string') code = c.code;
    if (typeof c.message === 'string' && c.message) detail = c.message;
    cause = c.cause;
  }
  const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'unknown host' : (code ?? detail);
  const from = ep.source === '--url' ? '' : ` (URL from ${ep.source})`;
  return new CliError(
    `cannot reach the server at ${ep.url}${from}: ${why}; is \`ticketlab serve\` running?`,
    EXIT.UNAVAILABLE,
  );
}

export async function request(ep: Endpoint, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: headers(ep, (init.headers as Record<string, string>) ?? {}) });
  } catch (err) {
    throw unreachable(ep, err);
  }
}

/** Runs a query or mutation; the first GraphQL error becomes "message (CODE)". */
export async function gql<T>(ep: Endpoint, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await request(ep, ep.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GqlError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new CliError(
      `${ep.url} answered HTTP ${res.status} without a GraphQL response; is it a ticketlab server?`,
      res.status === 401 || res.status === 403 ? EXIT.AUTH : EXIT.SERVER_ERROR,
    );
  }
  const e = body.errors?.[0];
  if (e) {
    const code =
      e.extensions?.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'FORBIDDEN' : undefined);
    throw new CliError(`${e.message}${code ? ` (${code})` : ''}`, exitCodeFor(code));
  }
  if (!body.data) throw new CliError(`${ep.url} answered HTTP ${res.status} with no data`, EXIT.SERVER_ERROR);
  return body.data;
}

/** The server's root (http://host:port) for the export routes. */
export function baseUrl(ep: Endpoint): string {
  const u = new URL(ep.url);
  return `${u.protocol}//${u.host}`;
}

/** GET of an export route; a non-200 answer ({ error, message }) becomes a CliError. */
export async function download(ep: Endpoint, pathAndQuery: string): Promise<Response> {
  const res = await request(ep, baseUrl(ep) + pathAndQuery);
  if (res.ok) return res;
  let message = `HTTP ${res.status}`;
  let code: string | undefined;
  try {
    const b = (await res.json()) as { error?: string; message?: string };
    if (b.message) message = b.message;
    code = b.error;
  } catch {
    // not JSON: keep the status
  }
  if (!code && (res.status === 401 || res.status === 403)) code = res.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  throw new CliError(`${message}${code ? ` (${code})` : ''}`, exitCodeFor(code));
}

/** ws(s):// URL of the same endpoint, for graphql-ws. */
export function wsUrl(ep: Endpoint): string {
  return ep.url.replace(/^http/, 'ws');
}
