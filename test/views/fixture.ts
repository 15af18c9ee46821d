/**
 * Hand-made study over a tiny model (layers 2, hidden 16, intermediate 32: 4352 prunable weights)
 * whose expected curve, winning tickets, transfer matrix and overlaps are known in closed form.
 */
import type { Client } from 'pg';
import { builtinTaskId, insertEvaluation, insertMaskTicket, insertModelFor, TINY_CONFIG } from '../helpers/seed';

export const N = 4352;

/** Canonical prunable order of the tiny model, written out independently of src/. */
export const LAYOUT: Array<{ name: string; shape: [number, number] }> = [];
for (let l = 0; l < 2; l++) {
  const p = `uniter.encoder.layer.${l}`;
  LAYOUT.push(
    { name: `${p}.attention.self.query.weight`, shape: [16, 16] },
    { name: `${p}.attention.self.key.weight`, shape: [16, 16] },
    { name: `${p}.attention.self.value.weight`, shape: [16, 16] },
    { name: `${p}.attention.output.dense.weight`, shape: [16, 16] },
    { name: `${p}.intermediate.dense.weight`, shape: [32, 16] },
    { name: `${p}.output.dense.weight`, shape: [16, 32] },
  );
}
LAYOUT.push({ name: 'uniter.pooler.dense.weight', shape: [16, 16] });

/** First `pruned` weights pruned, the rest kept. */
export function prefixMask(pruned: number): Uint8Array {
  return new Uint8Array(N).map((_, i) => (i < pruned ? 0 : 1));
}

/** In segment j, the first 7·j + 3 weights pruned (exact per-layer counts to check). */
export function layeredMask(): { kept: Uint8Array; pruned: number[] } {
  const kept = new Uint8Array(N).fill(1);
  const pruned: number[] = [];
  let offset = 0;
  LAYOUT.forEach((s, j) => {
    const n = 7 * j + 3;
    kept.fill(0, offset, offset + n);
    pruned.push(n);
    offset += s.shape[0] * s.shape[1];
  });
  return { kept, pruned };
}

export interface Study {
  modelId: string;
  otherModelId: string;
  vqa: string;
  gqa: string;
  nlvr2: string;
  pretrain: string;
  t: Record<'A' | 'B' | 'C' | 'D' | 'R' | 'E' | 'F' | 'P' | 'P2' | 'P3' | 'P4' | 'L' | 'X' | 'Other', string>;
}

export async function seedStudy(db: Client): Promise<Study> {
  const { id: modelId, prunable } = await insertModelFor(db, 'tiny, "views" model', TINY_CONFIG);
  if (prunable !== N) throw new Error(`tiny model has ${prunable} prunable weights, expected ${N}`);
  const { id: otherModelId } = await insertModelFor(db, 'other tiny model', TINY_CONFIG);
  const [vqa, gqa, nlvr2, pretrain] = [
    await builtinTaskId(db, 'VQA'),
    await builtinTaskId(db, 'GQA'),
    await builtinTaskId(db, 'NLVR2'),
    await builtinTaskId(db, 'PRETRAIN'),
  ];
  const ticket = (taskId: string, pruned: number, method = 'IMP', level = 1) =>
    insertMaskTicket(db, { modelId, taskId, kept: prefixMask(pruned), method, level });
  // Distinct, increasing creation times: lists ordered oldest first are then deterministic.
  let clock = Date.parse('2025-03-01T00:00:00.000Z');
  const ev = (
    taskId: string,
    ticketId: string | null,
    score: number,
    seed = 0,
    extra: { weightInit?: string; trainingMode?: string } = {},
  ) =>
    insertEvaluation(db, {
      modelId,
      taskId,
      ticketId,
      score,
      seed,
      metrics: { acc: score, n_examples: 500 },
      createdAt: new Date((clock += 1000)),
      ...extra,
    });

  const t = {
    A: await ticket(vqa, 870),
    B: await ticket(vqa, 2176, 'IMP', 2),
    C: await ticket(vqa, 2176, 'IMP', 2),
    D: await ticket(vqa, 3046, 'IMP', 3),
    R: await ticket(vqa, 2176, 'RANDOM', 0),
    E: await ticket(gqa, 2176),
    F: await ticket(vqa, 2177),
    P: await ticket(pretrain, 2176),
    P2: await ticket(pretrain, 1306),
    P3: await ticket(pretrain, 2611),
    P4: await ticket(pretrain, 870),
    L: await insertMaskTicket(db, { modelId, taskId: vqa, kept: layeredMask().kept }),
    X: await insertMaskTicket(db, {
      modelId,
      taskId: vqa,
      kept: new Uint8Array(N).map((_, i) => (i % 3 === 0 ? 0 : 1)),
    }),
    Other: await insertMaskTicket(db, { modelId: otherModelId, taskId: vqa, kept: prefixMask(10) }),
  };
  // Dense VQA: mean 0.62, sample std 0.02. Dense GQA: mean 0.71. Dense PRETRAIN loss: 2.0.
  for (const [i, s] of [0.6, 0.62, 0.64].entries()) await ev(vqa, null, s, i);
  for (const [i, s] of [0.7, 0.72].entries()) await ev(gqa, null, s, i);
  await ev(pretrain, null, 2.0);
  await ev(vqa, null, 0.3, 0, { weightInit: 'RANDOM' });
  // VQA curve (IMP, PRETRAINED, STANDARD).
  await ev(vqa, t.A, 0.64, 0);
  await ev(vqa, t.A, 0.62, 1);
  await ev(vqa, t.B, 0.615);
  await ev(vqa, t.C, 0.611, 0);
  await ev(vqa, t.C, 0.613, 1);
  await ev(vqa, t.D, 0.55);
  // Must stay out of the IMP/PRETRAINED/STANDARD VQA curve and winners.
  await ev(vqa, t.R, 0.4);
  await ev(vqa, t.B, 0.3, 0, { weightInit: 'SHUFFLED' });
  await ev(vqa, t.A, 0.9, 0, { trainingMode: 'ADVERSARIAL' });
  await ev(vqa, t.E, 0.58);
  // Transfer at 0.5.
  await ev(gqa, t.B, 0.68);
  await ev(gqa, t.E, 0.7);
  await ev(vqa, t.P, 0.6);
  await ev(gqa, t.P, 0.66);
  await ev(nlvr2, t.F, 0.55);
  // PRETRAIN winners: lower loss is better.
  await ev(pretrain, t.P2, 2.01);
  await ev(pretrain, t.P3, 2.1);
  await ev(pretrain, t.P4, 1.9);
  return { modelId, otherModelId, vqa, gqa, nlvr2, pretrain, t };
}
