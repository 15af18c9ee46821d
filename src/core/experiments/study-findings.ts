/**
 * The paper's findings (Gan et al.), each decided from a study's tables (pure), never hard-coded.
 * Threshold claims compare means over seeds with the threshold, as the paper does (Table 1 is
 * "mean of 3 runs"); comparison claims require the gap of the means to exceed the combined 95%
 * intervals of both sides (study-stats clearlyBetter), and with one seed the means decide.
 * `holds` is null while the numbers a finding needs are not stored.
 */
import type { AdversarialRowData, TicketRow, TransferRowData } from './study-report';
import { clearlyBetter, fmt, type Stat } from './study-stats';

export const FINDING_KEYS = [
  'RELAXED_TICKETS',
  'STRICT_TICKETS',
  'IMP_BEATS_RANDOM',
  'PRETRAINING_TICKET_TRANSFERS',
  'ADVERSARIAL_HELPS',
] as const;
export type FindingKey = (typeof FINDING_KEYS)[number];

export interface FindingData {
  key: FindingKey;
  statement: string;
  holds: boolean | null;
  evidence: string;
}

const pct = (s: number | null) => (s === null ? 'none' : `${Math.round(s * 100)}%`);

export function findings(
  tickets: TicketRow[],
  transfer: TransferRowData[],
  adversarial: AdversarialRowData[],
  taskName: (id: string) => string,
  threshold: number,
  /** what the study planned: a finding stays undecided (null) until all of it is stored */
  planned: { baselines: readonly string[]; adversarialSparsities: readonly number[] },
): FindingData[] {
  const done = tickets.filter((t) => t.baselineSparsity !== null);
  const complete = done.length === tickets.length && tickets.length > 0;
  const out: FindingData[] = [];

  out.push({
    key: 'RELAXED_TICKETS',
    statement: `Relaxed winning tickets (mean score ≥ ${threshold} × dense) exist at 50% sparsity or more on every task.`,
    holds: complete ? done.every((t) => (t.relaxedSparsity ?? 0) >= 0.5) : null,
    evidence: done.map((t) => `${taskName(t.taskId)} ${pct(t.relaxedSparsity)}`).join('; ') || 'no IMP curve yet',
  });

  const strictHigh = done.filter((t) => (t.strictSparsity ?? 0) >= 0.5).length;
  out.push({
    key: 'STRICT_TICKETS',
    statement:
      'Strict winning tickets (mean score ≥ the dense mean) are hard to find: at most half of the tasks have one at 50% sparsity or more.',
    holds: complete ? strictHigh <= done.length / 2 : null,
    evidence:
      done.map((t) => `${taskName(t.taskId)} ${pct(t.strictSparsity)}`).join('; ') +
      (complete ? ` (${strictHigh} of ${done.length} at ≥ 50%)` : ''),
  });

  const comparisons: string[] = [];
  let beaten = true;
  let any = false;
  let noSpread = false;
  for (const t of done) {
    for (const [name, base] of [
      ['random pruning', t.randomPruning],
      ['shuffled weights', t.shuffledWeights],
      ['random init', t.randomInit],
    ] as Array<[string, Stat | null]>) {
      if (!t.imp || !base) continue;
      any = true;
      const c = clearlyBetter(t.imp, base);
      if (!c.spread) noSpread = true;
      if (!c.better) beaten = false;
      comparisons.push(
        `${taskName(t.taskId)} at ${pct(t.baselineSparsity)}: IMP ${fmt(t.imp.mean)} vs ${name} ${fmt(base.mean)}${c.better ? '' : ' (not beaten)'}`,
      );
    }
  }
  const wanted = (
    [
      ['RANDOM_PRUNING', 'randomPruning'],
      ['SHUFFLED_WEIGHTS', 'shuffledWeights'],
      ['RANDOM_INIT', 'randomInit'],
    ] as const
  ).filter(([b]) => planned.baselines.includes(b));
  const baselinesStored = complete && done.every((t) => t.imp && wanted.every(([, k]) => t[k] !== null));
  out.push({
    key: 'IMP_BEATS_RANDOM',
    statement:
      "At each task's baseline sparsity, IMP tickets beat random pruning, shuffled weights and random initialisation beyond the seeds' spread.",
    holds: baselinesStored && any ? beaten : null,
    evidence:
      (comparisons.join('; ') || 'no baseline stored yet') + (noSpread ? '; one seed: decided on the means' : ''),
  });

  const upTo70 = transfer.filter((r) => r.sparsity > 0 && r.sparsity <= 0.7 + 1e-9);
  const transferDone =
    upTo70.length > 0 && upTo70.every((r) => r.averageRelative !== null && r.cells.length === tickets.length);
  out.push({
    key: 'PRETRAINING_TICKET_TRANSFERS',
    statement:
      'The pre-training ticket keeps at least 96% of the dense score on average over the tasks at every transfer sparsity up to 70%.',
    holds: transferDone ? upTo70.every((r) => r.averageRelative! >= 0.96) : null,
    evidence:
      transfer
        .filter((r) => r.sparsity > 0)
        .map(
          (r) =>
            `${pct(r.sparsity)}: ${fmt(r.averageRelative)}${r.seedAverages?.ci95 != null ? ` ± ${fmt(r.seedAverages.ci95)}` : ''} over ${r.cells.length} tasks`,
        )
        .join('; ') || 'no transfer stored yet',
  });

  const bySparsity = new Map<number, AdversarialRowData[]>();
  for (const r of adversarial) bySparsity.set(r.sparsity, [...(bySparsity.get(r.sparsity) ?? []), r]);
  let helps = bySparsity.size > 0;
  const advEvidence: string[] = [];
  for (const [s, list] of bySparsity) {
    const pairs = list.filter((r) => r.standard && r.adversarial);
    const wins = pairs.filter((r) => clearlyBetter(r.adversarial!, r.standard!).better).length;
    if (pairs.length < list.length || pairs.length === 0 || wins * 2 <= pairs.length) helps = false;
    advEvidence.push(`${pct(s)}: adversarial better on ${wins} of ${pairs.length} tasks`);
  }
  const advDone =
    adversarial.length === planned.adversarialSparsities.length * tickets.length &&
    adversarial.length > 0 &&
    adversarial.every((r) => r.standard && r.adversarial);
  out.push({
    key: 'ADVERSARIAL_HELPS',
    statement:
      "Adversarial training lifts the pre-training ticket: at every adversarial sparsity it beats standard training on more than half of the tasks beyond the seeds' spread.",
    holds: advDone ? helps : null,
    evidence: advEvidence.join('; ') || 'no adversarial evaluation stored yet',
  });
  return out;
}
