import { registerEnumType } from 'type-graphql';
import { SEARCH_METHODS } from '../core/lottery/methods/registry';

/**
 * The ticket search methods, as registered in core (src/core/lottery/methods): a new method
 * appears here, with its description, without a line of this file changing.
 */
export const PruningMethod: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(SEARCH_METHODS.map((m) => [m.name, m.name])),
);
export type PruningMethod = string;

registerEnumType(PruningMethod, {
  name: 'PruningMethod',
  description: "How a ticket's mask was obtained.",
  valuesConfig: Object.fromEntries(SEARCH_METHODS.map((m) => [m.name, { description: m.description }])),
});
