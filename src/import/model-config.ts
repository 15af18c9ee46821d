/**
 * The config of an imported checkpoint: a JSON file with our names (what
 * scripts/uniter_to_safetensors.py writes) or with UNITER's own (num_hidden_layers, hidden_size,
 * img_dim, …), overridden field by field by the mutation's input.
 */
import { configProblems, type ModelConfig } from '../core/model/config';
import { TOKEN_TYPES } from '../core/model/names';
import { BadInputError } from '../kit/errors';

export type ConfigFields = Partial<Record<keyof ModelConfig, number | null | undefined>>;

/** UNITER / BERT config keys → ours. max_position_embeddings counts [CLS] and [SEP] too. */
const UNITER_KEYS: Record<string, { key: keyof ModelConfig; map?: (v: number) => number }> = {
  num_hidden_layers: { key: 'layers' },
  hidden_size: { key: 'hidden' },
  num_attention_heads: { key: 'heads' },
  intermediate_size: { key: 'intermediate' },
  vocab_size: { key: 'vocabSize' },
  img_dim: { key: 'regionFeatureDim' },
  max_position_embeddings: { key: 'maxTextLength', map: (v) => v - 2 },
  hidden_dropout_prob: { key: 'dropout' },
};

const OURS: ReadonlyArray<keyof ModelConfig> = [
  'layers',
  'hidden',
  'heads',
  'intermediate',
  'vocabSize',
  'regionFeatureDim',
  'maxTextLength',
  'maxRegions',
  'dropout',
];

/** UNITER keeps at most 100 regions per image; its configs do not say so. */
export const DEFAULT_MAX_REGIONS = 100;
export const DEFAULT_DROPOUT = 0.1;

/** Reads our keys, else UNITER's; unknown keys are ignored (UNITER configs carry many). */
export function configFromJson(text: string, field: string): ConfigFields {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BadInputError(`${field}: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new BadInputError(`${field}: must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const out: ConfigFields = {};
  for (const [k, spec] of Object.entries(UNITER_KEYS)) {
    if (typeof o[k] === 'number') out[spec.key] = spec.map ? spec.map(o[k]) : o[k];
  }
  if (o.type_vocab_size !== undefined && o.type_vocab_size !== TOKEN_TYPES) {
    throw new BadInputError(
      `${field}: type_vocab_size is ${JSON.stringify(o.type_vocab_size)}; UNITER-style models have ${TOKEN_TYPES} token types`,
    );
  }
  for (const k of OURS) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'number')
      throw new BadInputError(`${field}: ${k} must be a number, got ${JSON.stringify(o[k])}`);
    out[k] = o[k];
  }
  return out;
}

/** File values, then input overrides, then defaults for maxRegions and dropout; validated. */
export function mergeConfig(fromFile: ConfigFields, input: ConfigFields): ModelConfig {
  const merged: ConfigFields = { maxRegions: DEFAULT_MAX_REGIONS, dropout: DEFAULT_DROPOUT, ...fromFile };
  for (const k of OURS) if (input[k] !== null && input[k] !== undefined) merged[k] = input[k];
  const missing = OURS.filter((k) => merged[k] === undefined);
  if (missing.length)
    throw new BadInputError(`config: ${missing.join(', ')} not given (neither in configPath nor in config)`);
  const config = merged as ModelConfig;
  const problems = configProblems(config);
  if (problems.length) throw new BadInputError(`config: ${problems.join('; ')}`);
  return config;
}
