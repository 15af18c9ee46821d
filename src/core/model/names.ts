/**
 * Parameter names and shapes of the UNITER-style encoder, in one canonical order. Names are
 * UNITER's state-dict keys and Linear weights are PyTorch-shaped [out, in], so a converted UNITER
 * checkpoint maps 1:1 onto these specs.
 */
import type { ModelConfig } from './config';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** how a fresh model initialises it (BERT: N(0, 0.02) weights, LN gamma 1, zeros elsewhere). */
  init: 'normal' | 'ones' | 'zeros';
}

/** UNITER has two token types: 0 text, 1 image (the image type embedding is the text table's row 1). */
export const TOKEN_TYPES = 2;

/** Rows of the position table: the generator's longest text plus [CLS] and [SEP]. */
export function textPositions(config: ModelConfig): number {
  return config.maxTextLength + 2;
}

function linear(prefix: string, out: number, inp: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [out, inp], init: 'normal' },
    { name: `${prefix}.bias`, shape: [out], init: 'zeros' },
  ];
}

function layerNorm(prefix: string, hidden: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [hidden], init: 'ones' },
    { name: `${prefix}.bias`, shape: [hidden], init: 'zeros' },
  ];
}

/** Every encoder parameter in canonical order (embeddings, image embeddings, layers, pooler). */
export function encoderParamSpecs(c: ModelConfig): ParamSpec[] {
  const h = c.hidden;
  const specs: ParamSpec[] = [
    { name: 'uniter.embeddings.word_embeddings.weight', shape: [c.vocabSize, h], init: 'normal' },
    { name: 'uniter.embeddings.position_embeddings.weight', shape: [textPositions(c), h], init: 'normal' },
    { name: 'uniter.embeddings.token_type_embeddings.weight', shape: [TOKEN_TYPES, h], init: 'normal' },
    ...layerNorm('uniter.embeddings.LayerNorm', h),
    ...linear('uniter.img_embeddings.img_linear', h, c.regionFeatureDim),
    ...layerNorm('uniter.img_embeddings.img_layer_norm', h),
    ...linear('uniter.img_embeddings.pos_linear', h, 7),
    ...layerNorm('uniter.img_embeddings.pos_layer_norm', h),
    ...layerNorm('uniter.img_embeddings.LayerNorm', h),
  ];
  for (let i = 0; i < c.layers; i++) {
    const p = `uniter.encoder.layer.${i}`;
    specs.push(
      ...linear(`${p}.attention.self.query`, h, h),
      ...linear(`${p}.attention.self.key`, h, h),
      ...linear(`${p}.attention.self.value`, h, h),
      ...linear(`${p}.attention.output.dense`, h, h),
      ...layerNorm(`${p}.attention.output.LayerNorm`, h),
      ...linear(`${p}.intermediate.dense`, c.intermediate, h),
      ...linear(`${p}.output.dense`, h, c.intermediate),
      ...layerNorm(`${p}.output.LayerNorm`, h),
    );
  }
  specs.push(...linear('uniter.pooler.dense', h, h));
  return specs;
}

/**
 * The prunable weights (DESIGN §3, BERT-Tickets): per layer Q, K, V, attention-output,
 * intermediate and output dense weights, then the pooler weight. Masks follow this order.
 */
export function prunableWeightNames(c: ModelConfig): string[] {
  const names: string[] = [];
  for (let i = 0; i < c.layers; i++) {
    const p = `uniter.encoder.layer.${i}`;
    names.push(
      `${p}.attention.self.query.weight`,
      `${p}.attention.self.key.weight`,
      `${p}.attention.self.value.weight`,
      `${p}.attention.output.dense.weight`,
      `${p}.intermediate.dense.weight`,
      `${p}.output.dense.weight`,
    );
  }
  names.push('uniter.pooler.dense.weight');
  return names;
}

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Number of scalars in the encoder (head excluded). */
export function parameterCount(c: ModelConfig): number {
  return encoderParamSpecs(c).reduce((n, s) => n + numel(s.shape), 0);
}

/** Number of scalars in the prunable weights. */
export function prunableParameterCount(c: ModelConfig): number {
  const prunable = new Set(prunableWeightNames(c));
  return encoderParamSpecs(c).reduce((n, s) => n + (prunable.has(s.name) ? numel(s.shape) : 0), 0);
}

/** Whether the optimiser should skip weight decay (LayerNorm parameters and biases, as BERT). */
export function isNoDecay(name: string): boolean {
  return name.endsWith('.bias') || /layer_?norm/i.test(name);
}
