/**
 * UNITER-style single-stream encoder (the paper's UNITER-base): text and region embeddings are
 * concatenated (text first) and run through post-LN transformer layers; the pooler reads the
 * first ([CLS]) position. Config-driven; parameters carry UNITER's state-dict names.
 */
import * as tf from '@tensorflow/tfjs';
import { configProblems, type ModelConfig } from './config';
import type { Encoder, EncodeOptions, EncoderInput, EncoderOutput, ParamMap } from './types';
import type { Rng } from '../rng';
import { encoderParamSpecs, prunableWeightNames, textPositions } from './names';
import { Dropout, gelu, layerNorm, linear, param, variableFrom } from './layers';
import { registerWasmTrainingKernels } from './wasm-kernels';

export { parameterCount, prunableParameterCount, prunableWeightNames, textPositions, encoderParamSpecs } from './names';

/** BERT's initialiser range (at hidden 768). */
export const INIT_STD = 0.02;

/**
 * Initialiser std that keeps BERT's per-layer gain at another hidden size: 0.02 at hidden 768,
 * scaled by √(768 / hidden) (0.069 at hidden 64). A plain 0.02 at hidden 64 gives each linear
 * layer a gain of 0.16 instead of 0.55, so attention starts almost exactly uniform and the
 * signal from other positions is faint. Opt-in (createEncoder's default stays BERT's 0.02): the
 * shipped model's pre-training starts from it, and so does the random-init baseline of
 * scripts/calibrate.
 */
export function scaledInitStd(hidden: number): number {
  return INIT_STD * Math.sqrt(768 / hidden);
}
/** Additive attention bias for masked keys (UNITER's value; exp underflows to exactly 0). */
const MASKED_BIAS = -10000;

registerWasmTrainingKernels();

const NO_DROPOUT = new Dropout(0, undefined, false);

export class UniterEncoder implements Encoder {
  constructor(
    readonly config: ModelConfig,
    readonly params: ParamMap,
  ) {}

  encode(input: EncoderInput, opts: EncodeOptions): EncoderOutput {
    return tf.tidy(() => {
      const c = this.config;
      const p = this.params;
      const drop = new Dropout(c.dropout, opts.dropoutSeed, opts.training);
      const [B, T] = input.tokenIds.shape;
      const R = input.regionFeatures.shape[1];
      if (T > textPositions(c)) throw new Error(`text length ${T} exceeds ${textPositions(c)} positions`);
      if (R > c.maxRegions) throw new Error(`${R} regions exceed maxRegions ${c.maxRegions}`);
      const typeTable = param(p, 'uniter.embeddings.token_type_embeddings.weight');

      // Text: word (+ optional adversarial perturbation) + position + type 0, LayerNorm.
      let words = tf.reshape(
        tf.gather(param(p, 'uniter.embeddings.word_embeddings.weight'), tf.reshape(input.tokenIds, [-1])),
        [B, T, c.hidden],
      ) as tf.Tensor3D;
      if (opts.perturb) words = opts.perturb('word', words);
      const positions = tf.slice(param(p, 'uniter.embeddings.position_embeddings.weight'), [0, 0], [T, c.hidden]);
      const textType = tf.slice(typeTable, [0, 0], [1, c.hidden]);
      const text = drop.apply(layerNorm(p, 'uniter.embeddings.LayerNorm', tf.add(tf.add(words, positions), textType)));

      // Regions: LN(Linear(feature)) + LN(Linear(box)) + type 1, LayerNorm.
      let feats = input.regionFeatures;
      if (opts.perturb) feats = opts.perturb('region', feats);
      const img = layerNorm(
        p,
        'uniter.img_embeddings.img_layer_norm',
        linear(p, 'uniter.img_embeddings.img_linear', feats),
      );
      const box = layerNorm(
        p,
        'uniter.img_embeddings.pos_layer_norm',
        linear(p, 'uniter.img_embeddings.pos_linear', input.regionBoxes),
      );
      let imgType: tf.Tensor = tf.slice(typeTable, [1, 0], [1, c.hidden]);
      if (opts.regionTypeShift) imgType = tf.reshape(tf.add(imgType, opts.regionTypeShift), [B, 1, c.hidden]);
      const regions = drop.apply(layerNorm(p, 'uniter.img_embeddings.LayerNorm', tf.add(tf.add(img, box), imgType)));

      let x = tf.concat([text, regions], 1);
      const keyMask = tf.concat([input.textMask, input.regionMask], 1);
      const bias = tf.reshape(tf.mul(tf.sub(1, keyMask), MASKED_BIAS), [B, 1, 1, T + R]);
      for (let i = 0; i < c.layers; i++) x = this.layer(i, x, bias, drop);

      const first = tf.reshape(tf.slice(x, [0, 0, 0], [B, 1, c.hidden]), [B, c.hidden]);
      const pooled = tf.tanh(linear(p, 'uniter.pooler.dense', first)) as tf.Tensor2D;
      return { sequence: x as tf.Tensor3D, pooled };
    });
  }

  /**
   * One transformer layer on hidden states x [B, L, H] with an additive key bias [B, 1, 1, L]
   * (public for benchmarks and analyses; encode() is the normal entry point).
   */
  layer(i: number, x: tf.Tensor, bias: tf.Tensor, drop: Dropout = NO_DROPOUT): tf.Tensor {
    const c = this.config;
    const p = this.params;
    const pre = `uniter.encoder.layer.${i}`;
    const [B, L] = x.shape;
    const dh = c.hidden / c.heads;
    const split = (t: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(t, [B, L, c.heads, dh]), [0, 2, 1, 3]);
    const q = split(linear(p, `${pre}.attention.self.query`, x));
    const k = split(linear(p, `${pre}.attention.self.key`, x));
    const v = split(linear(p, `${pre}.attention.self.value`, x));
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias);
    const probs = drop.apply(tf.softmax(scores));
    const ctx = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, L, c.hidden]);
    const attn = drop.apply(linear(p, `${pre}.attention.output.dense`, ctx));
    const h1 = layerNorm(p, `${pre}.attention.output.LayerNorm`, tf.add(attn, x));
    const inter = gelu(linear(p, `${pre}.intermediate.dense`, h1));
    const out = drop.apply(linear(p, `${pre}.output.dense`, inter));
    return layerNorm(p, `${pre}.output.LayerNorm`, tf.add(out, h1));
  }

  /** Frees the parameters; the encoder is unusable afterwards. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

function checkConfig(config: ModelConfig): void {
  const problems = configProblems(config);
  if (problems.length) throw new Error(`invalid model config: ${problems.join('; ')}`);
}

/**
 * A fresh encoder with BERT's initialisation (N(0, std) weights, std 0.02 by default; LN gamma 1 /
 * beta 0, zero biases).
 */
export function createEncoder(config: ModelConfig, rng: Rng, std = INIT_STD): UniterEncoder {
  if (!(std > 0 && Number.isFinite(std))) throw new Error(`init std must be positive (got ${std})`);
  checkConfig(config);
  const params: ParamMap = new Map();
  encoderParamSpecs(config).forEach((s, idx) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.init === 'ones') data.fill(1);
    if (s.init === 'normal') {
      // One child stream per tensor: a tensor's init does not depend on the draws of the others.
      const r = rng.fork(idx);
      for (let j = 0; j < n; j++) data[j] = r.normal() * std;
    }
    params.set(s.name, variableFrom(data, s.shape));
  });
  return new UniterEncoder(config, params);
}

/**
 * An encoder from named weights (e.g. decoded safetensors). Every name and shape is checked
 * before any variable is created, so a bad map never yields a partial model.
 */
export function encoderFromWeights(config: ModelConfig, weights: Map<string, Float32Array>): UniterEncoder {
  checkConfig(config);
  const specs = encoderParamSpecs(config);
  const problems = weightProblems(config, new Map([...weights].map(([k, v]) => [k, { length: v.length }])));
  if (problems.length) throw new Error(`weights do not fit the config: ${problems.join('; ')}`);
  const params: ParamMap = new Map();
  for (const s of specs) params.set(s.name, variableFrom(weights.get(s.name)!, s.shape));
  return new UniterEncoder(config, params);
}

/**
 * Missing, extra and wrong-sized tensors of a weight map against the config (empty when it
 * fits). `shape` is compared when given, otherwise only the element count.
 */
export function weightProblems(
  config: ModelConfig,
  weights: Map<string, { length: number; shape?: number[] }>,
): string[] {
  const specs = encoderParamSpecs(config);
  const known = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !weights.has(s.name)).map((s) => s.name);
  const extra = [...weights.keys()].filter((k) => !known.has(k));
  const wrong: string[] = [];
  for (const s of specs) {
    const w = weights.get(s.name);
    if (!w) continue;
    const n = s.shape.reduce((a, b) => a * b, 1);
    const shapeOk = w.shape ? w.shape.length === s.shape.length && w.shape.every((d, i) => d === s.shape[i]) : true;
    if (!shapeOk || w.length !== n) {
      wrong.push(`${s.name} is [${w.shape ? w.shape.join(', ') : w.length}], expected [${s.shape.join(', ')}]`);
    }
  }
  const out: string[] = [];
  if (missing.length) out.push(`missing: ${missing.join(', ')}`);
  if (extra.length) out.push(`unexpected: ${extra.join(', ')}`);
  if (wrong.length) out.push(`wrong shape: ${wrong.join('; ')}`);
  return out;
}

/** The prunable weight variables in canonical order (DESIGN §3). */
export function prunableWeights(encoder: Encoder): tf.Variable[] {
  return prunableWeightNames(encoder.config).map((n) => param(encoder.params, n));
}

/** A copy of every parameter's values (e.g. θ0 for rewinding). */
export function snapshotWeights(params: ParamMap): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of params) out.set(name, new Float32Array(v.dataSync() as Float32Array)); // cpu returns its own buffer: copy
  return out;
}

/** Overwrites parameters in place (rewinding); every named tensor must exist with the same size. */
export function assignWeights(params: ParamMap, weights: Map<string, Float32Array>): void {
  for (const [name, data] of weights) {
    const v = params.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    if (v.size !== data.length) throw new Error(`${name} has ${v.size} values, got ${data.length}`);
  }
  for (const [name, data] of weights) {
    const v = params.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }
}
