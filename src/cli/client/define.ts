/** Builds a CliCommand from its options and body: --help, parsing and one-line errors in one place. */
import type { CliCommand } from '../commands';
import { COMMON_HELP, endpoint, parse, type Endpoint, type OptionSpec, type Parsed } from './args';
import { guarded } from './errors';

export interface CommandSpec {
  name: string;
  summary: string;
  /** usage and option lines shown by --help (the connection options are appended) */
  help: string;
  options: OptionSpec;
  maxPositionals: number;
  run(p: Parsed, ep: Endpoint): Promise<number>;
}

export function defineCommand(spec: CommandSpec): CliCommand {
  return {
    summary: spec.summary,
    run: (argv) =>
      guarded(spec.name, async () => {
        const p = parse(argv, spec.options, spec.maxPositionals);
        if (p.values.help) {
          process.stdout.write(`${spec.help.trimEnd()}\n\n${COMMON_HELP}`);
          return 0;
        }
        return spec.run(p, endpoint(p));
      }),
  };
}
