/** HTTP and CLI helpers of the auth tests: requests as a token, `ticketlab token …` runs. */
import { spawn } from 'child_process';
import { MAIN_JS } from '../helpers/server';

export interface HttpResult {
  status: number;
  contentType: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  } & Record<string, unknown>;
  text: string;
}

/** POST /graphql with an optional bearer token (or a raw Authorization value). */
export async function post(
  url: string,
  query: string,
  opts: { token?: string; authorization?: string; variables?: Record<string, unknown>; rawBody?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: opts.rawBody ?? JSON.stringify({ query, variables: opts.variables }),
  });
  return parse(res);
}

/** GET with an optional bearer token (and the header Apollo's CSRF check wants on GET /graphql). */
export async function get(url: string, token?: string): Promise<HttpResult> {
  const res = await fetch(url, {
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return parse(res);
}

async function parse(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let body: HttpResult['body'] = {};
  try {
    body = JSON.parse(text) as HttpResult['body'];
  } catch {
    // not JSON (a CSV or safetensors export): body stays empty
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, text };
}

export function codes(r: HttpResult): string[] {
  return (r.body.errors ?? []).map((e) => String(e.extensions?.code ?? '(none)'));
}

/** Runs `ticketlab <args>` (async: the server under test keeps serving meanwhile). */
export function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN_JS, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** `token create`; returns the token printed on stdout. */
export async function createToken(env: Record<string, string>, name: string, scope: string): Promise<string> {
  const r = await cli(['token', 'create', '--name', name, '--scope', scope], env);
  if (r.status !== 0) throw new Error(`token create failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}
