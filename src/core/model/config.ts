/** Shape of a UNITER-style single-stream encoder (DESIGN §2). */
export interface ModelConfig {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  regionFeatureDim: number;
  maxTextLength: number;
  maxRegions: number;
  /** dropout probability used in training (0 disables). */
  dropout: number;
}

/** Validates a config; returns a list of problems (empty when valid). */
export function configProblems(c: Partial<ModelConfig>): string[] {
  const problems: string[] = [];
  const ints: Array<keyof ModelConfig> = [
    'layers',
    'hidden',
    'heads',
    'intermediate',
    'vocabSize',
    'regionFeatureDim',
    'maxTextLength',
    'maxRegions',
  ];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1_000_000)
      problems.push(`${k} must be a positive integer`);
  }
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) problems.push('dropout must be in [0, 1)');
  if (typeof c.hidden === 'number' && typeof c.heads === 'number' && c.heads > 0 && c.hidden % c.heads !== 0) {
    problems.push('hidden must be divisible by heads');
  }
  return problems;
}
