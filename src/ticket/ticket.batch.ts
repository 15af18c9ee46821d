/** Batch read of stored masks (the bytea column is never selected with the entity). */
import type { DataSource } from 'typeorm';

export interface StoredMask {
  ticketId: string;
  modelId: string;
  /** mask length in bits (the model's prunable count when consistent). */
  bits: number;
  /** bit-packed, LSB-first, 1 = kept. */
  packed: Buffer;
}

/** The masks of many tickets in one query; null for ids without a ticket. */
export async function masksForTickets(ds: DataSource, ids: readonly string[]): Promise<Array<StoredMask | null>> {
  const rows = (await ds.query('SELECT id, model_id, mask_bits, mask FROM ticket WHERE id = ANY($1::uuid[])', [
    ids,
  ])) as Array<{
    id: string;
    model_id: string;
    mask_bits: string | number;
    mask: Buffer;
  }>;
  const byId = new Map(
    rows.map((r) => [r.id, { ticketId: r.id, modelId: r.model_id, bits: Number(r.mask_bits), packed: r.mask }]),
  );
  return ids.map((id) => byId.get(id) ?? null);
}
