/** `ticketlab evaluate`: fine-tune and test a ticket (or the dense model) on a task. */
import { flag, int, num, numList, oneOf, required, str } from './args';
import { CliError, EXIT, usage } from './errors';
import { defineCommand } from './define';
import { gql } from './http';
import { resolveModel, resolveTask, type Named } from './lookup';
import { startRuns } from './start';

const INITS = ['PRETRAINED', 'SHUFFLED', 'RANDOM'] as const;
const MODES = ['STANDARD', 'ADVERSARIAL'] as const;

const EVALUATE = 'mutation($i: EvaluateInput!) { evaluate(input: $i) { id kind status } }';

/** The ticket's model, so `--ticket` alone is enough. */
async function ticketModel(ep: Parameters<typeof gql>[0], ticketId: string): Promise<Named> {
  const d = await gql<{ ticket: { model: Named } | null }>(
    ep,
    'query($id: ID!) { ticket(id: $id) { model { id name } } }',
    { id: ticketId },
  );
  if (!d.ticket) throw new CliError(`ticket "${ticketId}" not found (NOT_FOUND)`, EXIT.SERVER_ERROR);
  return d.ticket.model;
}

export const command = defineCommand({
  name: 'evaluate',
  summary: 'fine-tune and test a ticket (or the dense model) on a task; prints the run id',
  help: `Usage: ticketlab evaluate --task T (--ticket ID | --model M) [options]

  --task T           task name, kind or id
  --ticket ID        the ticket whose mask to apply (its model is used); omit for the dense model
  --model M          model name or id (required without --ticket)
  --init I           PRETRAINED (default), SHUFFLED or RANDOM initial weights
  --mode M           STANDARD (default) or ADVERSARIAL fine-tuning
  --steps N          fine-tune steps (default the task's)
  --seeds LIST       seeds, one evaluation each (default 1), e.g. 1,2,3
  --lr X             peak learning rate;  --batch-size N
  --force            start a new run even when an identical one exists
  --watch            follow the run with a progress bar until it ends`,
  options: {
    task: { type: 'string' },
    ticket: { type: 'string' },
    model: { type: 'string' },
    init: { type: 'string' },
    mode: { type: 'string' },
    steps: { type: 'string' },
    seeds: { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    force: { type: 'boolean' },
    watch: { type: 'boolean', short: 'w' },
  },
  maxPositionals: 0,
  async run(p, ep) {
    const taskArg = required(p, 'task');
    const ticketId = str(p, 'ticket');
    const modelArg = str(p, 'model');
    if (!ticketId && !modelArg) throw usage('give --model (dense evaluation) or --ticket');
    const input: Record<string, unknown> = {
      ticketId,
      weightInit: oneOf(p, 'init', INITS),
      trainingMode: oneOf(p, 'mode', MODES),
      steps: int(p, 'steps', 1),
      seeds: numList(p, 'seeds', true),
      lr: num(p, 'lr'),
      batchSize: int(p, 'batch-size', 1),
      force: flag(p, 'force') || undefined,
    };
    const model = modelArg ? await resolveModel(ep, modelArg) : await ticketModel(ep, ticketId!);
    const task = await resolveTask(ep, taskArg);
    const full = JSON.parse(JSON.stringify({ ...input, modelId: model.id, taskId: task.id })) as Record<
      string,
      unknown
    >;
    const describe = () =>
      `${ticketId ? `ticket ${ticketId}` : `dense ${model.name}`} on ${task.name}` +
      `${input.seeds ? `, seeds ${(input.seeds as number[]).join(', ')}` : ''}`;
    return startRuns(ep, EVALUATE, 'evaluate', [full], describe, flag(p, 'watch'));
  },
});
