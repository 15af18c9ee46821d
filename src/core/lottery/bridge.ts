/**
 * The bridge between the pruning module's bit-packed Mask (prunable weights in canonical order)
 * and the training module's WeightMask (parameter name → 0/1 tensor), plus the host-side views
 * IMP needs: the prunable tensors of a weight map in mask order, and θ ⊙ m with exact zeros.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import { encoderParamSpecs, prunableWeightNames } from '../model/names';
import type { ParamMap } from '../model/types';
import { Mask, sameLayout, type SegmentSpec } from '../pruning';
import type { WeightMask } from '../training/mask';
import { TicketInvariantError } from './errors';

/** Names and shapes of the prunable weights in canonical (mask) order. */
export function prunableLayout(config: ModelConfig): SegmentSpec[] {
  const shapes = new Map(encoderParamSpecs(config).map((s) => [s.name, s.shape]));
  return prunableWeightNames(config).map((name) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`prunable weight ${name} is not an encoder parameter`);
    return { name, shape };
  });
}

/** The dense (level-0) mask of a config. */
export function denseMask(config: ModelConfig): Mask {
  return Mask.ones(prunableLayout(config));
}

/** Throws unless `mask` covers exactly this config's prunable weights, in order. */
export function checkMaskFits(mask: Mask, config: ModelConfig): void {
  if (!sameLayout(mask.segments, Mask.layout(prunableLayout(config)))) {
    throw new TicketInvariantError(
      "mask layout does not match the model's prunable weights (names, shapes or order differ)",
    );
  }
}

/** The prunable tensors of a weight map, in mask order (views, not copies). */
export function prunableTensors(weights: ReadonlyMap<string, Float32Array>, config: ModelConfig): Float32Array[] {
  return prunableLayout(config).map((s) => {
    const w = weights.get(s.name);
    if (!w) throw new Error(`weights lack prunable tensor ${s.name}`);
    return w;
  });
}

/** The same from live parameters (one host copy per tensor). */
export function prunableFromParams(params: ParamMap, config: ModelConfig): Float32Array[] {
  return prunableLayout(config).map((s) => {
    const v = params.get(s.name);
    if (!v) throw new Error(`encoder lacks prunable tensor ${s.name}`);
    return new Float32Array(v.dataSync() as Float32Array);
  });
}

/** A training WeightMask (float32 0/1 per prunable tensor); call dispose() when training ends. */
export function toWeightMask(mask: Mask): { weightMask: WeightMask; dispose: () => void } {
  const map = new Map<string, tf.Tensor>();
  mask.segments.forEach((s, i) => {
    const bits = mask.unpackSegment(i);
    const data = new Float32Array(bits.length);
    for (let j = 0; j < bits.length; j++) data[j] = bits[j];
    map.set(s.name, tf.tensor(data, [...s.shape], 'float32'));
  });
  return { weightMask: map, dispose: () => map.forEach((t) => t.dispose()) };
}

/**
 * θ ⊙ m on host copies: survivors keep their exact bits, pruned entries become +0 (not the −0
 * that w·0 gives for negative w). Tensors the mask does not cover are shared, not copied.
 */
export function applyMaskToWeights(weights: ReadonlyMap<string, Float32Array>, mask: Mask): Map<string, Float32Array> {
  const out = new Map(weights);
  mask.segments.forEach((s, i) => {
    const w = weights.get(s.name);
    if (!w || w.length !== s.length) throw new TicketInvariantError(`weights lack ${s.name} or it has the wrong size`);
    const bits = mask.unpackSegment(i);
    const m = new Float32Array(w.length);
    for (let j = 0; j < w.length; j++) m[j] = bits[j] ? w[j] : 0;
    out.set(s.name, m);
  });
  return out;
}

/**
 * Verifies a level's starting point: every survivor equals `reference` bit for bit and every
 * pruned weight is exactly 0. `actual` is in mask order (e.g. read back from the encoder).
 */
export function verifyRewound(actual: readonly Float32Array[], reference: readonly Float32Array[], mask: Mask): void {
  mask.segments.forEach((s, i) => {
    const a = new Uint32Array(actual[i].buffer, actual[i].byteOffset, actual[i].length);
    const r = new Uint32Array(reference[i].buffer, reference[i].byteOffset, reference[i].length);
    const bits = mask.unpackSegment(i);
    for (let j = 0; j < s.length; j++) {
      if (bits[j] ? a[j] !== r[j] : actual[i][j] !== 0) {
        throw new TicketInvariantError(
          `${s.name}[${j}] is ${actual[i][j]} at the start of training; expected ${bits[j] ? `the rewind value ${reference[i][j]}` : '0 (pruned)'}`,
        );
      }
    }
  });
}

/** Throws unless every pruned weight of `weights` (mask order) is exactly 0; returns how many were checked. */
export function verifyPrunedZero(weights: readonly Float32Array[], mask: Mask, when: string): number {
  let checked = 0;
  mask.segments.forEach((s, i) => {
    const bits = mask.unpackSegment(i);
    const w = weights[i];
    for (let j = 0; j < s.length; j++) {
      if (!bits[j]) {
        if (w[j] !== 0) throw new TicketInvariantError(`pruned weight ${s.name}[${j}] is ${w[j]} ${when}`);
        checked++;
      }
    }
  });
  return checked;
}
