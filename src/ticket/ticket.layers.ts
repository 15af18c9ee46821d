/**
 * A stored mask read against its model: the canonical prunable layout (names and shapes from
 * src/core/model/names.ts, in mask order) applied to the bit-packed bytes.
 */
import { prunableLayout } from '../core/lottery/bridge';
import type { ModelConfig } from '../core/model/config';
import { Mask } from '../core/pruning';
import type { StoredMask } from './ticket.batch';

/** Why a stored mask cannot be read against its model's layout (a corrupt or foreign row). */
export class MaskLayoutError extends Error {}

/** A stored model config (dropout is optional there; it does not shape the weights). */
export type StoredConfig = Omit<ModelConfig, 'dropout'> & { dropout?: number };

const layouts = new Map<string, ReturnType<typeof Mask.layout>>();

/** The prunable layout of a config, memoised (configs are few and immutable). */
export function layoutFor(config: StoredConfig): ReturnType<typeof Mask.layout> {
  const key = JSON.stringify([config.layers, config.hidden, config.intermediate]);
  let l = layouts.get(key);
  if (!l) {
    l = Mask.layout(prunableLayout({ ...config, dropout: config.dropout ?? 0 }));
    layouts.set(key, l);
  }
  return l;
}

/** The stored mask as a Mask over its model's prunable weights; throws MaskLayoutError when it does not fit. */
export function maskOf(stored: StoredMask, config: StoredConfig): Mask {
  const layout = layoutFor(config);
  const total = layout.length === 0 ? 0 : layout[layout.length - 1].offset + layout[layout.length - 1].length;
  if (stored.bits !== total) {
    throw new MaskLayoutError(
      `ticket ${stored.ticketId}: mask has ${stored.bits} bits, its model has ${total} prunable weights`,
    );
  }
  try {
    return Mask.fromPacked(layout, stored.packed);
  } catch (err) {
    throw new MaskLayoutError(`ticket ${stored.ticketId}: ${(err as Error).message}`);
  }
}
