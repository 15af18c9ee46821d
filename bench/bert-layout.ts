/**
 * The 73 prunable tensors of BERT-base / UNITER-base (BERT-Tickets): per layer Q, K, V,
 * attention output (768×768 each), intermediate (3072×768) and output (768×3072), plus the
 * pooler (768×768): 12·(4·768² + 2·3072·768) + 768² = 85,524,480 weights.
 */
import type { SegmentSpec } from '../src/core/pruning/layout';

export function bertBasePrunable(hidden = 768, ffn = 3072, layers = 12): SegmentSpec[] {
  const out: SegmentSpec[] = [];
  for (let l = 0; l < layers; l++) {
    const p = `uniter.encoder.layer.${l}`;
    for (const n of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      out.push({ name: `${p}.${n}.weight`, shape: [hidden, hidden] });
    }
    out.push({ name: `${p}.intermediate.dense.weight`, shape: [ffn, hidden] });
    out.push({ name: `${p}.output.dense.weight`, shape: [hidden, ffn] });
  }
  out.push({ name: 'uniter.pooler.dense.weight', shape: [hidden, hidden] });
  return out;
}
