/**
 * Subcommands beyond serve/worker/migrate, each in its own module under src/cli, loaded only
 * when called (a client command must not load tfjs, Apollo or TypeORM).
 * A module exports `command: CliCommand`.
 */
export interface CliCommand {
  /** one line for `ticketlab help` */
  summary: string;
  /** runs with the arguments after the command name; resolves to the exit code */
  run(argv: string[]): Promise<number>;
}

/** command name → module path relative to this file */
export const CLI_COMMANDS: Record<string, string> = {
  token: '../auth/token.cli',
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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
