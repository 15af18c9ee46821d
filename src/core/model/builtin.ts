/**
 * The shipped pre-trained model (assets/models/mini-uniter): its config, θ0 and, when present,
 * the pre-training heads (MLM/ITM/MRM) that continued pre-training (pre-training tickets) resumes.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { configProblems, type ModelConfig } from './config';
import { loadEncoderWeightsFile } from './weights';
import { decodeSafetensors } from '../io/safetensors';

export const BUILTIN_MODEL_NAME = 'mini-uniter';

/** Architecture of the shipped model (sized so a default fine-tune fits the 60 s wasm budget). */
export function builtinConfig(vocabSize: number): ModelConfig {
  return {
    layers: 2,
    hidden: 64,
    heads: 4,
    intermediate: 256,
    vocabSize,
    regionFeatureDim: 32,
    maxTextLength: 24,
    maxRegions: 8,
    dropout: 0.1,
  };
}

/** Directory of the shipped model; works from the TypeScript sources and from dist*. */
export function builtinModelDir(): string {
  const candidates = [
    path.resolve(__dirname, '../../../assets/models', BUILTIN_MODEL_NAME),
    path.resolve(__dirname, '../../../../assets/models', BUILTIN_MODEL_NAME),
  ];
  const found = candidates.find((d) => existsSync(path.join(d, 'config.json')));
  if (!found) throw new Error(`shipped model ${BUILTIN_MODEL_NAME} not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface BuiltinModel {
  config: ModelConfig;
  weights: Map<string, Float32Array>;
  /** pre-training heads (cls.predictions.*, itm_output.*, feat_regress.*), empty when not shipped. */
  pretrainHead: Map<string, Float32Array>;
  meta: Record<string, unknown>;
}

export function loadBuiltinModel(dir = builtinModelDir()): BuiltinModel {
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as ModelConfig;
  const problems = configProblems(config);
  if (problems.length) throw new Error(`${dir}/config.json: ${problems.join('; ')}`);
  const { weights } = loadEncoderWeightsFile(path.join(dir, 'model.safetensors'), config);
  const pretrainHead = new Map<string, Float32Array>();
  const headFile = path.join(dir, 'pretrain-head.safetensors');
  if (existsSync(headFile)) {
    for (const [name, t] of decodeSafetensors(readFileSync(headFile)).tensors)
      pretrainHead.set(name, t.data as Float32Array);
  }
  const metaFile = path.join(dir, 'meta.json');
  const meta = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>) : {};
  return { config, weights, pretrainHead, meta };
}
