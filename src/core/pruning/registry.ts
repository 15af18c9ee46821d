/**
 * Pruning methods by name (DESIGN's PruningMethod enum: IMP, ONE_SHOT, RANDOM). Each method is
 * one file under methods/ providing a "next mask" function; adding a method is one file plus one
 * registerPruningMethod call.
 */
import { PruningError } from './errors';
import { impMethod } from './methods/imp';
import { oneShotMethod } from './methods/one-shot';
import { randomMethod } from './methods/random';
import type { NextMaskArgs, NextMaskResult, PruningMethod } from './methods/types';

export type { NextMaskArgs, NextMaskResult, PruningMethod } from './methods/types';

const methods = new Map<string, PruningMethod>();

export function registerPruningMethod(m: PruningMethod): void {
  if (methods.has(m.name)) throw new PruningError(`pruning method ${m.name} is already registered`);
  methods.set(m.name, m);
}

export function getPruningMethod(name: string): PruningMethod {
  const m = methods.get(name);
  if (!m)
    throw new PruningError(`unknown pruning method ${JSON.stringify(name)} (known: ${[...methods.keys()].join(', ')})`);
  return m;
}

export function pruningMethodNames(): string[] {
  return [...methods.keys()];
}

/** The next mask of `args.method` (see NextMaskArgs). */
export function nextMask(args: NextMaskArgs): NextMaskResult {
  return getPruningMethod(args.method).nextMask(args);
}

registerPruningMethod(impMethod);
registerPruningMethod(oneShotMethod);
registerPruningMethod(randomMethod);
