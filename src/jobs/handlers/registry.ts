/** Run kind → job handler. Adding a kind is one handler file plus one line here. */
import { evaluateHandler } from './evaluate';
import { instabilityHandler } from './instability';
import { pretrainHandler } from './pretrain';
import { pruneHandler } from './prune';
import type { RunHandler } from './types';

const HANDLERS: readonly RunHandler[] = [pretrainHandler, pruneHandler, evaluateHandler, instabilityHandler];

export function handlerFor(kind: string): RunHandler {
  const h = HANDLERS.find((x) => x.kind === kind);
  if (!h) throw new Error(`no job handler for run kind ${kind}`);
  return h;
}
