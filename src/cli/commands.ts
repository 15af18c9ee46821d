/**
 * Subcommands beyond serve/worker/migrate, each in its own module under src/cli, loaded only
 * when called (a client command must not load tfjs, Apollo or TypeORM).
 * A module exports `command: CliCommand`.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../config';

/** What main.ts lends a command that works on the database (the composition root opens it). */
export interface CommandHost {
  /** DATABASE_URL, else the running server's database, else the embedded one (migrated). */
  openDatabase(cfg: Config): Promise<{ ds: DataSource; close(): Promise<void> }>;
}

export interface CliCommand {
  /** one line for `ticketlab help` */
  summary: string;
  /** runs with the arguments after the command name; resolves to the exit code */
  run(argv: string[], host: CommandHost): Promise<number>;
}

/** command name → module path relative to this file */
export const CLI_COMMANDS: Record<string, string> = {
  token: './token',
  status: './client/status',
  runs: './client/runs',
  prune: './client/prune',
  evaluate: './client/evaluate',
  watch: './client/watch',
  export: './client/export',
};

export function loadCommand(name: string): CliCommand | null {
  const mod = Object.prototype.hasOwnProperty.call(CLI_COMMANDS, name) ? CLI_COMMANDS[name] : null;
  if (!mod) return null;
  return (require(mod) as { command: CliCommand }).command;
}

/** Help lines for the registered commands. */
export function commandHelp(): string {
  return Object.keys(CLI_COMMANDS)
    .map((name) => {
      // One module that fails to load must not take `help` down with it.
      try {
        const c = loadCommand(name);
        return c ? `  ${name.padEnd(9)} ${c.summary}\n` : '';
      } catch (err) {
        return `  ${name.padEnd(9)} (cannot load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})\n`;
      }
    })
    .join('');
}
