/**
 * Command-line parsing shared by the client commands (node:util parseArgs, no dependency) and
 * where the server is: --url, else TICKETLAB_URL, else the runtime file a server running on
 * $TICKETLAB_HOME wrote, else http://127.0.0.1:4000/graphql.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { usage } from './errors';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Options every client command accepts. */
export const COMMON_OPTIONS: OptionSpec = {
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const COMMON_HELP = `Connection:
  --url URL      GraphQL endpoint (default: $TICKETLAB_URL, else the server running on
                 $TICKETLAB_HOME (./.ticketlab), else ${DEFAULT_URL})
  --token T      API token, sent as "Authorization: Bearer T" (default: $TICKETLAB_TOKEN)

Exit codes: 0 done (watch: run SUCCEEDED), 1 run FAILED, 2 run CANCELLED, 3 server error
  (NOT_FOUND, BAD_USER_INPUT, CONFLICT, …), 4 token refused, 64 bad arguments,
  69 server unreachable, 70 internal error, 73 output file not writable, 130 interrupted.
`;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: OptionSpec, maxPositionals: number): Parsed {
  let r: Parsed;
  try {
    r = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (err) {
    // parseArgs' messages are one readable sentence already ("Unknown option '--x'…").
    throw usage((err as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  if (r.positionals.length > maxPositionals) throw usage(`unexpected argument "${r.positionals[maxPositionals]}"`);
  return r;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function int(p: Parsed, name: string, min = 0): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usage(`--${name} must be an integer ≥ ${min}, not "${v}"`);
  return n;
}

export function num(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw usage(`--${name} must be a number, not "${v}"`);
  return n;
}

/** A comma-separated list of numbers ("0.2,0.4,0.6"). */
export function numList(p: Parsed, name: string, integer: boolean): number[] | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const xs = parts.map(Number);
  const bad = parts.findIndex((s, i) => s === '' || !Number.isFinite(xs[i]) || (integer && !Number.isInteger(xs[i])));
  if (bad >= 0)
    throw usage(`--${name} must be a comma-separated list of ${integer ? 'integers' : 'numbers'}, not "${v}"`);
  return xs;
}

/** An enum value, case-insensitive ("imp" → "IMP"). */
export function oneOf<T extends string>(p: Parsed, name: string, values: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const up = v.toUpperCase().replace(/-/g, '_');
  if (!(values as readonly string[]).includes(up))
    throw usage(`--${name} must be one of ${values.join(', ')}, not "${v}"`);
  return up as T;
}

export function required(p: Parsed, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw usage(`--${name} is required`);
  return v;
}

export interface Endpoint {
  /** the GraphQL URL over HTTP */
  url: string;
  /** where the URL came from, for error messages */
  source: string;
  token: string | undefined;
}

/** A base URL ("http://host:4000") gets /graphql; ws(s):// is accepted and mapped to http(s)://. */
export function normalizeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw usage(`--url "${raw}" is not a valid URL`);
  }
  if (u.protocol === 'ws:') u.protocol = 'http:';
  if (u.protocol === 'wss:') u.protocol = 'https:';
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw usage(`--url must be http(s):// or ws(s)://, not "${u.protocol}//"`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/graphql';
  return u.toString();
}

export function endpoint(p: Parsed, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const token = str(p, 'token') ?? (env.TICKETLAB_TOKEN?.trim() || undefined);
  const flagUrl = str(p, 'url');
  if (flagUrl) return { url: normalizeUrl(flagUrl), source: '--url', token };
  if (env.TICKETLAB_URL?.trim()) return { url: normalizeUrl(env.TICKETLAB_URL.trim()), source: 'TICKETLAB_URL', token };
  const home = path.resolve(env.TICKETLAB_HOME?.trim() || '.ticketlab');
  // Same file as src/graphql/server.ts runtimeFile(); not imported, so this module loads no server code.
  const file = path.join(home, 'runtime.json');
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { graphqlUrl?: unknown };
    if (typeof info.graphqlUrl === 'string') return { url: normalizeUrl(info.graphqlUrl), source: file, token };
  } catch {
    // no server running on this home (or an unreadable file): fall back to the default
  }
  return { url: DEFAULT_URL, source: 'default', token };
}
