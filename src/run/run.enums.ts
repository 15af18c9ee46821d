import { registerEnumType } from 'type-graphql';
import { RunKind, RunStatus } from '../lifecycle/states';

export { RunKind, RunStatus };

registerEnumType(RunKind, {
  name: 'RunKind',
  description: 'What a run does.',
  valuesConfig: {
    PRETRAIN: { description: 'Pre-trains a model on the PRETRAIN task; produces a Model.' },
    PRUNE: { description: 'Finds tickets (IMP, one-shot or random); produces Tickets and their Evaluations.' },
    EVALUATE: { description: 'Fine-tunes a mask (or the dense model) on a task for some seeds; produces Evaluations.' },
    TRANSFER: { description: 'Evaluates tickets on other tasks; a parent of EVALUATE runs.' },
    INSTABILITY: {
      description:
        'Instability analysis of a ticket (or the dense model): two copies trained from θ_r, their linear interpolations evaluated; produces InstabilityResults.',
    },
  },
});

registerEnumType(RunStatus, {
  name: 'RunStatus',
  description: 'Life cycle of a run.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker is executing it.' },
    SUCCEEDED: { description: 'Finished; its outputs are stored.' },
    FAILED: { description: 'Stopped by an error (see `error`).' },
    CANCELLED: { description: 'Cancelled on request.' },
  },
});
