/**
 * The weight inits a mask is evaluated from (DESIGN §3 baselines):
 * - PRETRAINED: θ0 itself.
 * - SHUFFLED (the paper's θ0″): every PRUNABLE weight matrix of θ0 permuted within itself
 *   (seeded Fisher–Yates, one stream per tensor), so each keeps its value distribution but loses
 *   the positions the mask was chosen for. Embeddings, LayerNorm and biases keep θ0 by default:
 *   the question the baseline asks is whether the ticket's value lies in the alignment of mask
 *   and weights, and shuffling the word table as well would also destroy the input
 *   representation, conflating two effects. `shuffleScope: 'all'` shuffles every tensor.
 * - RANDOM: a fresh BERT-style init (createEncoder) drawn from the seed.
 */
import type { ModelConfig } from '../model/config';
import { createEncoder, snapshotWeights } from '../model/uniter';
import { prunableWeightNames } from '../model/names';
import { shuffleInPlace } from '../pruning';
import { Rng } from '../rng';

export type WeightInit = 'PRETRAINED' | 'SHUFFLED' | 'RANDOM';
export const WEIGHT_INITS: readonly WeightInit[] = ['PRETRAINED', 'SHUFFLED', 'RANDOM'];
export type ShuffleScope = 'prunable' | 'all';

/** Salts that separate the init streams from the training stream of the same seed. */
const SHUFFLE_SALT = 0x5f1e;
const RANDOM_SALT = 0x7a4d;

export interface InitOptions {
  theta0: ReadonlyMap<string, Float32Array>;
  config: ModelConfig;
  weightInit: WeightInit;
  seed: number;
  shuffleScope?: ShuffleScope;
}

/** The encoder weights training starts from (before the mask). θ0's arrays are never modified. */
export function initialWeights(o: InitOptions): Map<string, Float32Array> {
  if (o.weightInit === 'PRETRAINED') return new Map(o.theta0);
  if (o.weightInit === 'RANDOM') {
    const enc = createEncoder(o.config, new Rng(o.seed).fork(RANDOM_SALT));
    try {
      return snapshotWeights(enc.params);
    } finally {
      enc.dispose();
    }
  }
  if (o.weightInit !== 'SHUFFLED') throw new Error(`unknown weightInit ${JSON.stringify(o.weightInit)}`);
  const scope = o.shuffleScope ?? 'prunable';
  const names = scope === 'all' ? [...o.theta0.keys()].sort() : prunableWeightNames(o.config);
  const base = new Rng(o.seed).fork(SHUFFLE_SALT);
  const out = new Map(o.theta0);
  // One stream per tensor, keyed by its index in a fixed order, as shuffleWithinTensors does.
  const forks = names.map((_, t) => base.fork(t));
  names.forEach((name, t) => {
    const w = o.theta0.get(name);
    if (!w) throw new Error(`θ0 lacks ${name}`);
    out.set(name, shuffleInPlace(w.slice(), forks[t]));
  });
  return out;
}
