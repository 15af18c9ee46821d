/** `ticketlab watch <runId>`: a progress bar fed by the runEvents subscription. */
import { int } from './args';
import { usage } from './errors';
import { defineCommand } from './define';
import { watchRun } from './watch-run';

export const command = defineCommand({
  name: 'watch',
  summary: 'follow a run live (progress bar, loss, ETA); exit 0 when it succeeds',
  help: `Usage: ticketlab watch <runId> [--interval MS]

Follows the run over the runEvents subscription until it ends, then prints what it produced.
On a terminal the bar is redrawn in place; otherwise one line at most every --interval ms (1000).
Exit code: 0 SUCCEEDED, 1 FAILED, 2 CANCELLED (3 NOT_FOUND, 69 server unreachable).`,
  options: { interval: { type: 'string' } },
  maxPositionals: 1,
  async run(p, ep) {
    const id = p.positionals[0];
    if (!id) throw usage('which run? ticketlab watch <runId>');
    return watchRun(ep, id, { intervalMs: int(p, 'interval', 0) });
  },
});
