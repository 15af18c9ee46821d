/**
 * SHUFFLED init (the paper's θ0″): the values of each weight tensor permuted within that tensor
 * by a seeded Fisher–Yates shuffle (exactly uniform indices), so every tensor keeps its multiset
 * of values — and so its distribution — while losing their positions.
 */
import type { Rng } from '../rng';
import { uniformBelow } from './uniform';

/** Permutes `data` in place; returns it. */
export function shuffleInPlace(data: Float32Array, rng: Rng): Float32Array {
  for (let i = data.length - 1; i > 0; i--) {
    const j = uniformBelow(rng, i + 1);
    const t = data[i];
    data[i] = data[j];
    data[j] = t;
  }
  return data;
}

/**
 * Shuffled copies of each tensor (inputs untouched). Tensor t uses rng.fork(t), so a tensor's
 * permutation does not depend on the sizes of the tensors before it.
 */
export function shuffleWithinTensors(tensors: readonly Float32Array[], rng: Rng): Float32Array[] {
  const forks = tensors.map((_, t) => rng.fork(t));
  return tensors.map((data, t) => shuffleInPlace(data.slice(), forks[t]));
}
