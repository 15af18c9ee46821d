/**
 * The run kinds and statuses as plain values, below the API and the workers: both name them, and
 * the API registers them as GraphQL enums (src/run/run.enums.ts).
 */
export enum RunKind {
  PRETRAIN = 'PRETRAIN',
  PRUNE = 'PRUNE',
  EVALUATE = 'EVALUATE',
  TRANSFER = 'TRANSFER',
  INSTABILITY = 'INSTABILITY',
}

export enum RunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
