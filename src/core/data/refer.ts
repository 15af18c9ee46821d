/**
 * Referring to objects: a small structured description language, its meaning over a scene
 * (resolve) and its English rendering. Every generator states facts through it, so the tests can
 * check each text against the generator's own scene description.
 */
import type { Rng } from '../rng';
import { ATTR_TYPES, ATTR_VALUES, SHAPE_PLURALS, centerX, centerY, type AttrType, type SceneObject } from './world';

/** "target is <rel> anchor", from box centres. */
export type Relation = 'left' | 'right' | 'above' | 'below';
export const RELATIONS: readonly Relation[] = ['left', 'right', 'above', 'below'];

export type Attrs = Partial<Record<AttrType, number>>;

export interface Ref {
  attrs: Attrs;
  /** the leftmost / rightmost of the objects matching attrs. */
  extreme?: 'left' | 'right';
  /** restricts to objects in this relation to a uniquely resolved anchor. */
  rel?: { type: Relation; anchor: Ref };
}

export function matchesAttrs(o: SceneObject, attrs: Attrs): boolean {
  for (const t of ATTR_TYPES) {
    const v = attrs[t];
    if (v !== undefined && o[t] !== v) return false;
  }
  return true;
}

export function relationHolds(type: Relation, a: SceneObject, b: SceneObject): boolean {
  switch (type) {
    case 'left':
      return centerX(a) < centerX(b);
    case 'right':
      return centerX(a) > centerX(b);
    case 'above':
      return centerY(a) < centerY(b); // image coordinates: y grows downwards
    case 'below':
      return centerY(a) > centerY(b);
  }
}

/** Indices of the objects the description denotes; an unresolvable anchor denotes nothing. */
export function resolve(ref: Ref, objects: readonly SceneObject[]): number[] {
  let cands = objects.map((_, i) => i).filter((i) => matchesAttrs(objects[i], ref.attrs));
  if (ref.rel) {
    const anchor = resolve(ref.rel.anchor, objects);
    if (anchor.length !== 1) return [];
    const a = anchor[0];
    const type = ref.rel.type;
    cands = cands.filter((i) => i !== a && relationHolds(type, objects[i], objects[a]));
  }
  if (ref.extreme && cands.length > 0) {
    const sign = ref.extreme === 'left' ? 1 : -1;
    cands = [cands.reduce((b, i) => (sign * centerX(objects[i]) < sign * centerX(objects[b]) ? i : b))];
  }
  return cands;
}

export function countMatching(objects: readonly SceneObject[], attrs: Attrs): number {
  let n = 0;
  for (const o of objects) if (matchesAttrs(o, attrs)) n++;
  return n;
}

const REL_WORDS: Readonly<Record<Relation, string[]>> = {
  left: ['left', 'of'],
  right: ['right', 'of'],
  above: ['above'],
  below: ['below'],
};

export function relationWords(type: Relation): string[] {
  return REL_WORDS[type];
}

/** "red metal cube" / "small thing" (no article). */
export function nounPhrase(attrs: Attrs, plural = false): string[] {
  const words: string[] = [];
  for (const t of ATTR_TYPES) {
    const v = attrs[t];
    if (t !== 'shape' && v !== undefined) words.push(ATTR_VALUES[t][v]);
  }
  if (attrs.shape !== undefined) words.push(plural ? SHAPE_PLURALS[attrs.shape] : ATTR_VALUES.shape[attrs.shape]);
  else words.push(plural ? 'things' : 'thing');
  return words;
}

/** Indefinite article for a phrase ("an orange cube"). */
export function indefinite(words: string[]): string[] {
  return [/^[aeiou]/.test(words[0]) ? 'an' : 'a', ...words];
}

/** "the small blue sphere on the left", "the cube left of the red sphere". */
export function renderRef(ref: Ref): string[] {
  const words = ['the', ...nounPhrase(ref.attrs)];
  if (ref.extreme) words.push('on', 'the', ref.extreme);
  if (ref.rel) words.push(...relationWords(ref.rel.type), ...renderRef(ref.rel.anchor));
  return words;
}

/** The target's values restricted to some attribute types. */
export function pickAttrs(o: SceneObject, types: readonly AttrType[]): Attrs {
  const a: Attrs = {};
  for (const t of types) a[t] = o[t];
  return a;
}

/** All non-empty subsets of the allowed types, smallest first (for short descriptions). */
function subsets(types: readonly AttrType[]): AttrType[][] {
  const out: AttrType[][] = [];
  for (let m = 1; m < 1 << types.length; m++) out.push(types.filter((_, i) => (m >> i) & 1));
  return out.sort((a, b) => a.length - b.length);
}

export interface RefStyle {
  /** attribute types the description may use (e.g. not the one a question asks about). */
  types?: readonly AttrType[];
  /** weights of the three description strategies; a strategy that finds nothing falls back. */
  attrWeight: number;
  extremeWeight: number;
  relationWeight: number;
}

/** A description that denotes exactly the target (checked with resolve), or null if none. */
export function uniqueRef(rng: Rng, objects: readonly SceneObject[], target: number, style: RefStyle): Ref | null {
  const o = objects[target];
  const types = style.types ?? ATTR_TYPES;
  const subs = subsets(types);
  const unique = (r: Ref): boolean => {
    const hit = resolve(r, objects);
    return hit.length === 1 && hit[0] === target;
  };
  const byAttrs = (): Ref | null => {
    const ok = subs.filter((s) => unique({ attrs: pickAttrs(o, s) }));
    if (ok.length === 0) return null;
    // mostly the shortest descriptions, like people write, sometimes an over-specified one
    const minLen = ok[0].length;
    const pool = rng.next() < 0.7 ? ok.filter((s) => s.length === minLen) : ok;
    return { attrs: pickAttrs(o, rng.pick(pool)) };
  };
  const byExtreme = (): Ref | null => {
    const ok: Ref[] = [];
    for (const s of subs) {
      const attrs = pickAttrs(o, s);
      if (countMatching(objects, attrs) < 2) continue;
      for (const e of ['left', 'right'] as const) if (unique({ attrs, extreme: e })) ok.push({ attrs, extreme: e });
    }
    return ok.length ? rng.pick(ok) : null;
  };
  const byRelation = (): Ref | null => {
    const ok: Ref[] = [];
    const shapeOnly: AttrType[][] = [[], ...subs.filter((s) => s.length === 1)];
    for (let a = 0; a < objects.length; a++) {
      if (a === target) continue;
      const anchor = byAttrsOf(objects, a);
      if (!anchor) continue;
      for (const type of RELATIONS) {
        for (const s of shapeOnly) {
          const r: Ref = { attrs: pickAttrs(o, s), rel: { type, anchor } };
          if (unique(r)) ok.push(r);
        }
      }
    }
    return ok.length ? rng.pick(ok) : null;
  };
  const strategies = [
    { w: style.attrWeight, f: byAttrs },
    { w: style.extremeWeight, f: byExtreme },
    { w: style.relationWeight, f: byRelation },
  ].filter((s) => s.w > 0);
  // weighted order without replacement: the first strategy that finds a description wins
  while (strategies.length) {
    const total = strategies.reduce((t, s) => t + s.w, 0);
    let u = rng.next() * total;
    let k = 0;
    while (k < strategies.length - 1 && u >= strategies[k].w) u -= strategies[k++].w;
    const r = strategies[k].f();
    if (r) return r;
    strategies.splice(k, 1);
  }
  return null;
}

// nouns first, then colour: "the cube", "the red thing" read better than "the large thing"
const ANCHOR_SUBSETS = subsets(['shape', 'colour', 'material', 'size']);

/** The shortest attribute-only description that is unique (deterministic; used for anchors). */
export function byAttrsOf(objects: readonly SceneObject[], i: number): Ref | null {
  for (const s of ANCHOR_SUBSETS) {
    const attrs = pickAttrs(objects[i], s);
    if (countMatching(objects, attrs) === 1) return { attrs };
  }
  return null;
}
