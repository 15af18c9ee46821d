/**
 * Checks of a stored bit-packed mask (1 bit per prunable weight, model's canonical prunable
 * order, LSB-first within each byte, 1 = kept) against its model, before it is written.
 */
import { sha256 } from '../artifacts/verified-write';

export function maskSha256(packed: Uint8Array): string {
  return sha256(packed);
}

/** Number of kept weights (set bits) among the first `bits` bits. */
export function keptCount(packed: Uint8Array, bits: number): number {
  let kept = 0;
  for (let i = 0; i < bits; i++) kept += (packed[i >> 3] >> (i & 7)) & 1;
  return kept;
}

/** Problems with a mask for a model with `prunable` prunable weights; empty when it fits. */
export function maskProblems(packed: Uint8Array, bits: number, sha256: string, prunable: number): string[] {
  const problems: string[] = [];
  if (bits !== prunable) problems.push(`mask has ${bits} bits, the model has ${prunable} prunable weights`);
  if (packed.length !== Math.ceil(bits / 8))
    problems.push(`mask has ${packed.length} bytes, ${bits} bits need ${Math.ceil(bits / 8)}`);
  else if (bits % 8 !== 0 && packed[packed.length - 1] >> (bits % 8) !== 0)
    problems.push('padding bits of the last mask byte are not 0');
  if (maskSha256(packed) !== sha256) problems.push('mask sha256 does not match its bytes');
  return problems;
}
