/**
 * Run identity (DESIGN §3, open_lth's rule): a run's params are canonicalised — keys sorted,
 * values equal to their default dropped, undefined/null dropped — and hashed with the run kind.
 * Two requests that differ only in spelled-out defaults or key order get the same hash.
 */
import { createHash } from 'crypto';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function sortDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== null && v[k] !== undefined) out[k] = sortDeep(v[k]);
    return out;
  }
  return v;
}

const same = (a: Json, b: Json): boolean => JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));

/** `params` without null/undefined values and without values equal to `defaults`, keys sorted. */
export function canonicalParams(params: object, defaults: Record<string, Json> = {}): Record<string, Json> {
  const kept: { [k: string]: Json } = {};
  // Any params shape of core/experiments: its values are JSON by construction.
  for (const [k, v] of Object.entries(params) as Array<[string, Json | undefined]>) {
    if (v === undefined || v === null) continue;
    if (k in defaults && same(v, defaults[k])) continue;
    kept[k] = v;
  }
  return sortDeep(kept) as Record<string, Json>;
}

/** SHA-256 (hex) of kind + canonical params. */
export function paramsHash(kind: string, canonical: Record<string, Json>): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, sortDeep(canonical)]))
    .digest('hex');
}
