#!/usr/bin/env node
/** `ticketlab` CLI: serve | worker | migrate | help. */
import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';

const HELP = `ticketlab — lottery-ticket experiments on vision-and-language transformers

Usage: ticketlab <command>

Commands:
  serve     start the GraphQL API (HTTP + WebSocket on /graphql)
  worker    run a job worker only (not built yet)
  migrate   apply pending database migrations and exit
  help      show this text

Environment:
  PORT               HTTP port (4000)
  HOST               interface to bind (127.0.0.1)
  DATABASE_URL       PostgreSQL to use; unset = embedded PostgreSQL under $TICKETLAB_HOME/pg
  TICKETLAB_HOME     data directory (./.ticketlab)
  TICKETLAB_BACKEND  tfjs backend: tensorflow | wasm | cpu (best available when unset)
`;

function log(line: string): void {
  console.log(`[ticketlab] ${line}`);
}

/** The connection string without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

// The server modules (tfjs, Apollo, TypeORM) load only for the commands that need them.
async function serve(cfg: Config): Promise<void> {
  const started = Date.now();
  const { startServer } = require('./graphql/server') as typeof import('./graphql/server');
  const server = await startServer(cfg, log);
  log(`database ${redact(server.databaseUrl)}${cfg.databaseUrl ? '' : ` (embedded, ${cfg.home}/pg)`}`);
  log(`GraphQL at ${server.graphqlUrl} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting without a clean shutdown`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    server.close().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(cfg: Config): Promise<void> {
  const { openConfiguredDatabase } = require('./graphql/server') as typeof import('./graphql/server');
  const { ds, embedded } = await openConfiguredDatabase(cfg, log);
  const pending = await ds.showMigrations();
  log(pending ? 'migrations still pending' : 'database schema is up to date');
  await ds.destroy();
  await embedded?.stop();
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === 'worker') {
    console.error('ticketlab worker: not built yet (jobs come with the compute engine); `ticketlab serve` is all there is for now.');
    return 2;
  }
  if (command !== 'serve' && command !== 'migrate') {
    console.error(`unknown command "${command}"\n\n${HELP}`);
    return 64;
  }
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      return 78;
    }
    throw err;
  }
  if (command === 'serve') {
    await serve(cfg);
    return -1; // keeps running until a signal
  }
  await migrate(cfg);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error('[ticketlab] fatal:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
