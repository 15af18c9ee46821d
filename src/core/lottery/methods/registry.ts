/** Ticket search methods by name. Adding one is one file in this folder plus one line here. */
import { earlyBirdSearchMethod } from './early-bird';
import { impSearch } from './imp';
import { oneShotSearch } from './one-shot';
import { randomSearch } from './random';
import type { SearchMethod } from './types';

export const SEARCH_METHODS: readonly SearchMethod[] = [impSearch, oneShotSearch, randomSearch, earlyBirdSearchMethod];

export function getSearchMethod(name: string): SearchMethod {
  const m = SEARCH_METHODS.find((x) => x.name === name);
  if (!m)
    throw new Error(
      `unknown pruning method ${JSON.stringify(name)} (known: ${SEARCH_METHODS.map((x) => x.name).join(', ')})`,
    );
  return m;
}
