/**
 * Checks a checkpoint's safetensors header against the encoder a config describes — names,
 * shapes and dtypes — before any tensor data is read. Long lists (a UNITER-base checkpoint has
 * about 200 tensors) are cut to the first few names plus a count, so the error stays readable.
 */
import type { ModelConfig } from '../model/config';
import { encoderParamSpecs } from '../model/names';
import type { TensorEntry } from './safetensors';

export const LIST_LIMIT = 8;
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/** "a, b, c and 12 more" */
export function listSome(items: readonly string[], limit = LIST_LIMIT): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

export interface HeaderFit {
  problems: string[];
  /** tensors that are not encoder parameters (task heads of a fine-tuned checkpoint, …). */
  unknown: string[];
}

export function checkHeaderFits(
  config: ModelConfig,
  tensors: readonly TensorEntry[],
  allowUnknown: boolean,
): HeaderFit {
  const specs = encoderParamSpecs(config);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const known = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !byName.has(s.name)).map((s) => s.name);
  const unknown = tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  const wrongShape: string[] = [];
  const wrongDtype: string[] = [];
  for (const s of specs) {
    const t = byName.get(s.name);
    if (!t) continue;
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i]))
      wrongShape.push(`${s.name} [${t.shape.join(', ')}] (expected [${s.shape.join(', ')}])`);
    if (!FLOAT_DTYPES.has(t.dtype)) wrongDtype.push(`${s.name} (${t.dtype})`);
  }
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.length} missing weight(s): ${listSome(missing)}`);
  if (unknown.length && !allowUnknown)
    problems.push(
      `${unknown.length} unknown weight(s) (not parameters of this encoder; set ignoreUnknownWeights to skip them): ${listSome(unknown)}`,
    );
  if (wrongShape.length)
    problems.push(`${wrongShape.length} weight(s) of the wrong shape for this config: ${listSome(wrongShape, 4)}`);
  if (wrongDtype.length)
    problems.push(`${wrongDtype.length} weight(s) of a dtype other than F32, F16 or BF16: ${listSome(wrongDtype)}`);
  return { problems, unknown };
}

/** Names of tensors holding NaN or ±Infinity (a diverged or corrupted checkpoint). */
export function nonFinite(weights: ReadonlyMap<string, Float32Array>): string[] {
  const out: string[] = [];
  for (const [name, w] of weights) {
    for (let i = 0; i < w.length; i++) {
      if (!Number.isFinite(w[i])) {
        out.push(name);
        break;
      }
    }
  }
  return out;
}
