/**
 * Exit codes of the client commands and the one-line error they print. Every failure a user can
 * cause (bad arguments, unreachable server, a GraphQL error) becomes a CliError: one line on
 * stderr, no stack trace.
 */

export const EXIT = {
  /** success; for `watch`: the run SUCCEEDED */
  OK: 0,
  /** `watch`: the run ended FAILED */
  RUN_FAILED: 1,
  /** `watch`: the run ended CANCELLED */
  RUN_CANCELLED: 2,
  /** the server answered with an error (NOT_FOUND, BAD_USER_INPUT, CONFLICT, …) */
  SERVER_ERROR: 3,
  /** the server refused the token (UNAUTHENTICATED, FORBIDDEN; HTTP 401/403) */
  AUTH: 4,
  /** bad command-line arguments (BSD EX_USAGE) */
  USAGE: 64,
  /** the server cannot be reached (EX_UNAVAILABLE) */
  UNAVAILABLE: 69,
  /** an unexpected failure inside the client (EX_SOFTWARE) */
  INTERNAL: 70,
  /** the output file cannot be written (EX_CANTCREAT) */
  CANT_CREATE: 73,
  /** interrupted by Ctrl-C (128 + SIGINT) */
  INTERRUPTED: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(message, EXIT.USAGE);

/** The exit code for a GraphQL `extensions.code` (or an HTTP status of the export routes). */
export function exitCodeFor(code: string | undefined): number {
  return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? EXIT.AUTH : EXIT.SERVER_ERROR;
}

/** Runs a command body, turning every error into one line on stderr and an exit code. */
export async function guarded(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliError) {
      const hint = err.exitCode === EXIT.USAGE ? ` (see ticketlab ${name} --help)` : '';
      process.stderr.write(`ticketlab ${name}: ${err.message}${hint}\n`);
      return err.exitCode;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`ticketlab ${name}: unexpected error: ${msg.split('\n')[0]}\n`);
    return EXIT.INTERNAL;
  }
}
