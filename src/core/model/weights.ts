/**
 * Encoder weights as safetensors (UNITER names, PyTorch [out, in] layout): written as F32, read
 * from F32, F16 or BF16. Names, shapes and dtypes are checked against the config from the header
 * alone, before any tensor data is decoded or any variable created: a wrong file is one clear
 * error that lists the offending names, never a partial model.
 */
import { readFileSync, statSync, writeFileSync } from 'fs';
import type { ModelConfig } from './config';
import type { Encoder } from './types';
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from '../io/safetensors';
import { encoderFromWeights, snapshotWeights, weightProblems, type UniterEncoder } from './uniter';
import { encoderParamSpecs } from './names';

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

export interface DecodeWeightsOptions {
  /**
   * 'error' (default): a tensor that is not an encoder parameter is rejected. 'ignore': such
   * tensors (e.g. a task head in a fine-tuned UNITER checkpoint) are skipped and listed.
   */
  extra?: 'error' | 'ignore';
}

export interface DecodedWeights {
  weights: Map<string, Float32Array>;
  metadata: Record<string, string>;
  /** tensors skipped under extra: 'ignore'. */
  ignored: string[];
}

/** Serialises an encoder's parameters (canonical order, F32). */
export function encodeEncoderWeights(encoder: Encoder, metadata?: Record<string, string>): Buffer {
  const values = snapshotWeights(encoder.params);
  const tensors = encoderParamSpecs(encoder.config).map((s) => {
    const data = values.get(s.name);
    if (!data) throw new WeightsError(`encoder has no parameter ${s.name}`);
    return { name: s.name, dtype: 'F32' as const, shape: s.shape, data };
  });
  return encodeSafetensors(tensors, metadata);
}

/** Validates a safetensors buffer against the config, then decodes the encoder's tensors. */
export function decodeEncoderWeights(
  buf: Uint8Array,
  config: ModelConfig,
  opts: DecodeWeightsOptions = {},
): DecodedWeights {
  let header;
  try {
    header = readSafetensorsHeader(buf);
  } catch (e) {
    throw new WeightsError(`not a valid safetensors file: ${(e as Error).message}`);
  }
  const known = new Set(encoderParamSpecs(config).map((s) => s.name));
  const ignored = opts.extra === 'ignore' ? header.tensors.filter((t) => !known.has(t.name)).map((t) => t.name) : [];
  const entries = header.tensors.filter((t) => !ignored.includes(t.name));
  const problems = weightProblems(config, new Map(entries.map((t) => [t.name, { length: t.count, shape: t.shape }])));
  const badDtype = entries
    .filter((t) => known.has(t.name) && !FLOAT_DTYPES.has(t.dtype))
    .map((t) => `${t.name} (${t.dtype})`);
  if (badDtype.length) problems.push(`dtype must be F32, F16 or BF16: ${badDtype.join(', ')}`);
  if (problems.length) throw new WeightsError(`weights do not fit the model config: ${problems.join('; ')}`);
  let decoded;
  try {
    decoded = decodeSafetensors(buf, { skipUnsupported: true });
  } catch (e) {
    throw new WeightsError(`could not decode weights: ${(e as Error).message}`);
  }
  const weights = new Map<string, Float32Array>();
  for (const name of known) weights.set(name, decoded.tensors.get(name)!.data as Float32Array);
  return { weights, metadata: decoded.metadata, ignored };
}

/** Builds an encoder from a safetensors buffer (all checks first). */
export function encoderFromSafetensors(
  buf: Uint8Array,
  config: ModelConfig,
  opts: DecodeWeightsOptions = {},
): UniterEncoder {
  return encoderFromWeights(config, decodeEncoderWeights(buf, config, opts).weights);
}

/** Default ceiling for weight files read from disk (UNITER-large in F32 is about 1.2 GB). */
export const MAX_WEIGHTS_FILE_BYTES = 2_000_000_000;

export function saveEncoderWeights(encoder: Encoder, path: string, metadata?: Record<string, string>): void {
  writeFileSync(path, encodeEncoderWeights(encoder, metadata));
}

export function loadEncoderWeightsFile(
  path: string,
  config: ModelConfig,
  opts: DecodeWeightsOptions & { maxFileBytes?: number } = {},
): DecodedWeights {
  const size = statSync(path).size;
  const max = opts.maxFileBytes ?? MAX_WEIGHTS_FILE_BYTES;
  if (size > max) throw new WeightsError(`${path}: ${size} bytes exceeds the limit of ${max} bytes`);
  return decodeEncoderWeights(readFileSync(path), config, opts);
}
