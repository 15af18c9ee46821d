/**
 * `ticketlab token create|list|revoke`: manages API tokens directly in the database, so it works
 * without any token (whoever can run it on the server's machine already holds the database).
 *
 * The database: DATABASE_URL when set; else the one of the server running on TICKETLAB_HOME
 * (its runtime.json); else the embedded PostgreSQL of TICKETLAB_HOME, started for the command and
 * stopped after it. Pending migrations are applied first (the token table may be new).
 */
import type { CliCommand, CommandHost } from './commands';
import { ConfigError, loadConfig, type Config } from '../config';
import { DomainError } from '../kit/errors';
import type { ApiToken } from '../auth/api-token.entity';
import { SCOPES } from '../auth/scopes';

const USAGE = `Usage:
  ticketlab token create --name NAME --scope read|run|admin   prints the new token once
  ticketlab token list                                         all tokens (never their values)
  ticketlab token revoke ID|NAME                               refused from the next request on
`;

const err = (line: string) => process.stderr.write(`${line}\n`);

/** `--flag value` and `--flag=value`; anything else is positional. */
function parseArgs(argv: string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) positional.push(a);
    else if (m[2] !== undefined) flags.set(m[1], m[2]);
    else if (i + 1 < argv.length) flags.set(m[1], argv[++i]);
    else throw new UsageError(`--${m[1]} needs a value`);
  }
  return { flags, positional };
}

class UsageError extends Error {}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + 'Z' : '-');

function table(rows: ApiToken[]): string {
  const head = ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED', 'REVOKED'];
  const body = rows.map((r) => [r.id, r.name, r.scope, when(r.createdAt), when(r.lastUsedAt), when(r.revokedAt)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return (
    [head, ...body]
      .map((cols) =>
        cols
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

async function run(argv: string[], host: CommandHost): Promise<number> {
  const [sub, ...rest] = argv;
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(rest);
    if (sub === 'create') {
      if (!args.flags.get('name') || !args.flags.get('scope'))
        throw new UsageError('token create needs --name and --scope');
      if (!(SCOPES as readonly string[]).includes(args.flags.get('scope')!))
        throw new UsageError(`--scope must be one of ${SCOPES.join(', ')}`);
    } else if (sub === 'revoke') {
      if (args.positional.length !== 1) throw new UsageError('token revoke needs one token id or name');
    } else if (sub !== 'list') {
      throw new UsageError(sub ? `unknown token command "${sub}"` : 'missing token command');
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${USAGE}`);
    return 64;
  }
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`configuration error: ${e.message}`);
      return 78;
    }
    throw e;
  }
  const { ds, close } = await host.openDatabase(cfg);
  try {
    const { TokenService } = require('../auth/token.service') as typeof import('../auth/token.service');
    const tokens = new TokenService(ds);
    if (sub === 'create') {
      const { token, row } = await tokens.create(args.flags.get('name')!, args.flags.get('scope')!);
      // The token alone on stdout (TOKEN=$(ticketlab token create …)); the rest on stderr.
      err(
        `created token "${row.name}" (scope ${row.scope}, id ${row.id}); it is shown only now, the server keeps its SHA-256 only:`,
      );
      process.stdout.write(`${token}\n`);
    } else if (sub === 'list') {
      process.stdout.write(table(await tokens.list()));
    } else {
      const { row, already } = await tokens.revoke(args.positional[0]);
      process.stdout.write(
        already
          ? `token "${row.name}" (${row.id}) was already revoked at ${when(row.revokedAt)}\n`
          : `revoked token "${row.name}" (${row.id}): refused from the next request on\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof DomainError) {
      err(`${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await close();
  }
}

export const command: CliCommand = {
  summary: 'API tokens: token create --name N --scope read|run|admin | token list | token revoke ID|NAME',
  run,
};
