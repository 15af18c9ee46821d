/**
 * Environment → one typed, validated configuration object (DESIGN §7 "Environment").
 * Everything else reads configuration from here, never from process.env directly.
 */
import * as path from 'path';

export type BackendChoice = 'tensorflow' | 'wasm' | 'cpu';

export interface Config {
  /** HTTP + WebSocket port (PORT, default 4000; 0 = any free port). */
  port: number;
  /** interface to bind (HOST, default 127.0.0.1). */
  host: string;
  /** external PostgreSQL; null = start the embedded one under `home`/pg. */
  databaseUrl: string | null;
  /** absolute path of TICKETLAB_HOME (default ./.ticketlab): embedded PG data, runtime file, artifacts. */
  home: string;
  /** forced tfjs backend (TICKETLAB_BACKEND); null = pick the best available. */
  backend: BackendChoice | null;
}

export class ConfigError extends Error {}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 4000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`PORT must be an integer in 0..65535, not "${raw}"`);
  return n;
}

function parseBackend(raw: string | undefined): BackendChoice | null {
  const v = (raw ?? '').trim();
  if (v === '') return null;
  if (v === 'tensorflow' || v === 'wasm' || v === 'cpu') return v;
  throw new ConfigError(`TICKETLAB_BACKEND must be tensorflow, wasm or cpu, not "${v}"`);
}

function parseDatabaseUrl(raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  if (v === '') return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, not "${url.protocol}//"`);
  }
  return v;
}

/** Reads and validates the configuration; throws ConfigError with a readable message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  return {
    port: parsePort(env.PORT),
    host,
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    home: path.resolve((env.TICKETLAB_HOME ?? '').trim() || '.ticketlab'),
    backend: parseBackend(env.TICKETLAB_BACKEND),
  };
}
