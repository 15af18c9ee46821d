/**
 * Ticket.layerSparsity for many tickets at once, counted from the stored bit-packed masks.
 *
 * PostgreSQL counts the kept bits of each layer's bit range itself (bit_count over the bytes
 * wholly inside the range, get_bit for the at most 14 edge bits; get_bit numbers bits LSB-first
 * within each byte, exactly the stored order), so a page of tickets costs one query per distinct
 * layout and moves 13 integers per ticket instead of whole masks — a UNITER-base mask is 10.7 MB.
 * PostgreSQL before 14 has no bit_count(bytea): there the masks are read and counted here.
 */
import type { DataSource } from 'typeorm';
import type { Segment } from '../core/pruning';
import type { Model } from '../model/model.entity';
import { masksForTickets } from './ticket.batch';
import type { LayerSparsity, Ticket } from './ticket.entity';
import { layoutFor, maskOf, MaskLayoutError } from './ticket.layers';

/** bit_count(bytea) exists from PostgreSQL 14; TypeORM reads the server version on connect. */
function hasBitCount(ds: DataSource): boolean {
  const version = (ds.driver as { version?: string }).version ?? '';
  return Number(/^(\d+)/.exec(version)?.[1] ?? 0) >= 14;
}

/** Kept bits per segment for the tickets whose mask has exactly the layout's length. */
async function keptInSql(ds: DataSource, ids: string[], layout: readonly Segment[]): Promise<Map<string, number[]>> {
  const cols: number[][] = [[], [], [], [], [], [], []];
  layout.forEach((s, i) => {
    const a = s.offset;
    const b = s.offset + s.length;
    const fa = Math.ceil(a / 8);
    const fb = Math.floor(b / 8);
    // [a, b) = head bits [a, 8·fa) + whole bytes [fa, fb) + tail bits [8·fb, b); or, inside one byte, head only.
    const row = fa <= fb ? [i, fa, fb - fa, a, 8 * fa, 8 * fb, b] : [i, 0, 0, a, b, 0, 0];
    row.forEach((v, j) => cols[j].push(v));
  });
  const total = layout.length ? layout[layout.length - 1].offset + layout[layout.length - 1].length : 0;
  const rows = (await ds.query(
    `SELECT t.id, s.i,
            bit_count(substring(t.mask FROM s.ff + 1 FOR s.fl))
            + (SELECT count(*) FROM generate_series(s.h0, s.h1 - 1) g WHERE get_bit(t.mask, g) = 1)
            + (SELECT count(*) FROM generate_series(s.t0, s.t1 - 1) g WHERE get_bit(t.mask, g) = 1) AS kept
       FROM ticket t, unnest($2::int[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) AS s(i, ff, fl, h0, h1, t0, t1)
      WHERE t.id = ANY($1::uuid[]) AND t.mask_bits = $9`,
    [ids, ...cols, total],
  )) as Array<{ id: string; i: number; kept: string | number }>;
  const out = new Map<string, number[]>();
  for (const r of rows) {
    let k = out.get(r.id);
    if (!k) out.set(r.id, (k = new Array<number>(layout.length).fill(0)));
    k[r.i] = Number(r.kept);
  }
  return out;
}

/** The same by reading the masks (PostgreSQL < 14). */
async function keptInProcess(ds: DataSource, ids: string[], model: Model): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const stored of await masksForTickets(ds, ids)) {
    if (!stored) continue;
    try {
      out.set(
        stored.ticketId,
        maskOf(stored, model.config)
          .layerStats()
          .map((l) => l.total - l.pruned),
      );
    } catch (err) {
      if (!(err instanceof MaskLayoutError)) throw err;
    }
  }
  return out;
}

/**
 * Per-layer counts of each ticket, in the model's canonical prunable order: the mask is their one
 * source. A mask that does not fit its model's layout answers the row's stored column (empty for
 * tickets stored since the counts stopped being written, older counts for rows written before).
 */
export async function layerSparsityForTickets(
  ds: DataSource,
  tickets: readonly Ticket[],
  modelOf: (t: Ticket) => Promise<Model | null>,
): Promise<LayerSparsity[][]> {
  const models = await Promise.all(tickets.map(modelOf));
  const groups = new Map<string, { layout: readonly Segment[]; model: Model; ids: string[] }>();
  tickets.forEach((t, i) => {
    const model = models[i];
    if (!model) return;
    const layout = layoutFor(model.config);
    const key = JSON.stringify(layout.map((s) => s.shape));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { layout, model, ids: [] }));
    g.ids.push(t.id);
  });
  const sql = hasBitCount(ds);
  const kept = new Map<string, { layout: readonly Segment[]; kept: number[] }>();
  for (const g of groups.values()) {
    const counts = sql ? await keptInSql(ds, g.ids, g.layout) : await keptInProcess(ds, g.ids, g.model);
    for (const [id, k] of counts) kept.set(id, { layout: g.layout, kept: k });
  }
  return tickets.map((t) => {
    const found = kept.get(t.id);
    if (!found) return t.layerSparsity;
    return found.layout.map((s, i) => {
      const pruned = s.length - found.kept[i];
      return { name: s.name, total: s.length, pruned, sparsity: s.length === 0 ? 0 : pruned / s.length };
    });
  });
}
