/** Building blocks for true and false statements about a scene, shared by several tasks. */
import type { Rng } from '../rng';
import { ATTR_TYPES, ATTR_VALUES, type AttrType, type SceneObject } from './world';
import { countMatching, pickAttrs, type Attrs } from './refer';

/** k random attribute types (1 ≤ k ≤ 4), in canonical order. */
export function randomTypes(rng: Rng, min: number, max: number, from: readonly AttrType[] = ATTR_TYPES): AttrType[] {
  const k = Math.min(from.length, min + rng.int(max - min + 1));
  const chosen = new Set(rng.shuffle([...from]).slice(0, k));
  return from.filter((t) => chosen.has(t));
}

/** A description taken from one object of the scene (so it matches at least that object). */
export function presentDesc(rng: Rng, objects: readonly SceneObject[], min: number, max: number): Attrs {
  return pickAttrs(rng.pick(objects), randomTypes(rng, min, max));
}

/**
 * A description that matches no object but whose values all occur in the scene ("a red cube"
 * when there is a red sphere and a blue cube): rejecting it needs attribute binding, not a bag
 * of attributes. Falls back to random values; null when every try matches something.
 */
export function absentDesc(rng: Rng, objects: readonly SceneObject[], min = 2, max = 2): Attrs | null {
  for (let k = 0; k < 20; k++) {
    const types = randomTypes(rng, min, max);
    const attrs: Attrs = {};
    for (const t of types) attrs[t] = k < 12 ? rng.pick(objects)[t] : rng.int(ATTR_VALUES[t].length);
    if (countMatching(objects, attrs) === 0) return attrs;
  }
  return null;
}

/** A value of type t that the object does not have, preferring one seen on another object. */
export function wrongValue(rng: Rng, objects: readonly SceneObject[], o: SceneObject, t: AttrType): number {
  const seen = objects.map((x) => x[t]).filter((v) => v !== o[t]);
  if (seen.length && rng.next() < 0.7) return rng.pick(seen);
  let v = rng.int(ATTR_VALUES[t].length - 1);
  if (v >= o[t]) v++;
  return v;
}
