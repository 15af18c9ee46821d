/** Shared by `prune` and `evaluate`: send a mutation per seed, print the ids, optionally watch. */
import type { Endpoint } from './args';
import { gql } from './http';
import { watchRun } from './watch-run';

export interface StartedRun {
  id: string;
  kind: string;
  status: string;
}

/**
 * Starts the runs (one mutation per input), prints each id on stdout (scripts capture it) and a
 * description on stderr; with `watch`, follows them one after another and returns the first
 * non-zero exit code.
 */
export async function startRuns(
  ep: Endpoint,
  mutation: string,
  field: string,
  inputs: Array<Record<string, unknown>>,
  describe: (input: Record<string, unknown>) => string,
  watch: boolean,
): Promise<number> {
  const runs: StartedRun[] = [];
  for (const input of inputs) {
    const d = await gql<Record<string, StartedRun>>(ep, mutation, { i: input });
    const run = d[field];
    runs.push(run);
    process.stdout.write(`${run.id}\n`);
    const same =
      run.status === 'QUEUED' ? '' : ` (an identical run already exists, ${run.status}; --force starts a new one)`;
    process.stderr.write(`${run.kind} run ${run.id} ${run.status}: ${describe(input)}${same}\n`);
  }
  if (!watch) return 0;
  let code = 0;
  for (const r of runs) {
    const c = await watchRun(ep, r.id);
    if (code === 0) code = c;
  }
  return code;
}
