#!/usr/bin/env node
/** `ticketlab` CLI: serve | worker | migrate | help. */
import 'reflect-metadata';
import { commandHelp, loadCommand } from './cli/commands';
import { ConfigError, loadConfig, runtimeFile, type Config } from './config';

const HELP = `ticketlab — lottery-ticket experiments on vision-and-language transformers

Usage: ticketlab <command>

Commands:
  serve     start the GraphQL API (HTTP + WebSocket on /graphql)
  worker    run a job worker only (more workers on the same DATABASE_URL and artifact store)
  migrate   apply pending database migrations and exit
  help      show this text

Environment:
  PORT               HTTP port (4000)
  HOST               interface to bind (127.0.0.1)
  DATABASE_URL       PostgreSQL to use; unset = embedded PostgreSQL under $TICKETLAB_HOME/pg
  TICKETLAB_HOME     data directory (./.ticketlab)
  TICKETLAB_BACKEND  tfjs backend: tensorflow | wasm | cpu (best available when unset)
  TICKETLAB_WORKER   1 (default): \`serve\` also runs a job worker; 0: API only
  TICKETLAB_WORKER_CONCURRENCY  runs one worker process trains at once (1)
  TICKETLAB_COMPUTE  thread | process: where trainings run (process for tensorflow, else thread)
  TICKETLAB_HEARTBEAT_S  heartbeat of a running run (5); TICKETLAB_STALE_S  takeover after (30)
  TICKETLAB_AUTH     required: tokens even on loopback (always required on other addresses)
  TICKETLAB_MAX_DEPTH (12), TICKETLAB_MAX_COST (20000), TICKETLAB_MAX_BODY_BYTES (1 MiB),
  TICKETLAB_MAX_WS_MESSAGE_BYTES (1 MiB), TICKETLAB_MAX_SUBSCRIPTIONS (20 per connection)
  TICKETLAB_URL, TICKETLAB_TOKEN  server and token for the client commands (status, runs, ...)
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
  // Before graphql loads: in development mode graphql-js checks every instanceof across realms,
  // a measured 3-4% of a 100-ticket page's CPU; express and Apollo also take their server paths.
  process.env.NODE_ENV ??= 'production';
  const { openConfiguredDatabase } = require('./app/database') as typeof import('./app/database');
  const { startServer } = require('./app/server') as typeof import('./app/server');
  const { startJobs } = require('./app/jobs') as typeof import('./app/jobs');
  const { ENTITIES } = require('./app/entities') as typeof import('./app/entities');
  const db = await openConfiguredDatabase(cfg, log, ENTITIES);
  let server: Awaited<ReturnType<typeof startServer>>;
  let jobs: Awaited<ReturnType<typeof startJobs>>;
  try {
    server = await startServer(cfg, db, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  try {
    jobs = await startJobs(cfg, db, cfg.worker.inProcess, log);
  } catch (err) {
    await server.close();
    await db.close();
    throw err;
  }
  if (!cfg.worker.inProcess) log('job worker disabled (TICKETLAB_WORKER=0): runs wait for a `ticketlab worker`');
  log(`database ${redact(server.databaseUrl)}${cfg.databaseUrl ? '' : ` (embedded, ${cfg.home}/pg)`}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting without a clean shutdown`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    jobs
      .close()
      .then(() => server.close())
      .then(() => db.close())
      .then(
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
  // Logged once the signal handlers are in place: a stop right after this line is a clean one.
  log(`GraphQL at ${server.graphqlUrl} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** A worker only: the API's database (DATABASE_URL, else the one of the server on TICKETLAB_HOME). */
async function worker(cfg: Config): Promise<void> {
  let databaseUrl = cfg.databaseUrl;
  if (!databaseUrl) {
    const fs = require('fs') as typeof import('fs');
    const file = runtimeFile(cfg.home);
    if (!fs.existsSync(file))
      throw new Error(`DATABASE_URL is not set and no server is running on ${cfg.home} (no ${file})`);
    databaseUrl = (JSON.parse(fs.readFileSync(file, 'utf8')) as { databaseUrl: string }).databaseUrl;
  }
  const { openConfiguredDatabase } = require('./app/database') as typeof import('./app/database');
  const { startJobs } = require('./app/jobs') as typeof import('./app/jobs');
  const db = await openConfiguredDatabase({ ...cfg, databaseUrl }, log);
  let jobs: Awaited<ReturnType<typeof startJobs>>;
  try {
    jobs = await startJobs(cfg, db, true, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  log(`worker ready on ${redact(databaseUrl)} (pid ${process.pid})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: stopping the worker`);
    jobs
      .close()
      .then(() => db.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(cfg: Config): Promise<void> {
  const { openConfiguredDatabase } = require('./app/database') as typeof import('./app/database');
  const db = await openConfiguredDatabase(cfg, log);
  const pending = await db.ds.showMigrations();
  log(pending ? 'migrations still pending' : 'database schema is up to date');
  await db.close();
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP.replace('  help      show this text\n', `${commandHelp()}  help      show this text\n`));
    return 0;
  }
  const extra = loadCommand(command);
  if (extra) {
    // A command that needs the database gets it from the composition root, opened on demand.
    const host = {
      openDatabase: (c: Config) => {
        const { openCommandDatabase } = require('./app/database') as typeof import('./app/database');
        const { ENTITIES } = require('./app/entities') as typeof import('./app/entities');
        return openCommandDatabase(c, (l) => console.error(`[ticketlab] ${l}`), ENTITIES);
      },
    };
    return extra.run(argv.slice(1), host);
  }
  if (command !== 'serve' && command !== 'migrate' && command !== 'worker') {
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
  if (command === 'serve' || command === 'worker') {
    await (command === 'serve' ? serve(cfg) : worker(cfg));
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
