/** One line of `npm run bench`: `bench <row>: ours <ms> ms, reference <ms> ms, ratio <x>`. */
export interface BenchRow {
  row: string;
  oursMs: number;
  /** null when the reference could not run (e.g. no python3 with torch); the line says so. */
  referenceMs: number | null;
  note?: string;
}

export function formatRow(r: BenchRow): string {
  const ours = r.oursMs.toFixed(1);
  if (r.referenceMs === null)
    return `bench ${r.row}: ours ${ours} ms, reference skipped${r.note ? ` (${r.note})` : ''}`;
  const ratio = (r.oursMs / r.referenceMs).toFixed(2);
  return `bench ${r.row}: ours ${ours} ms, reference ${r.referenceMs.toFixed(1)} ms, ratio ${ratio}${r.note ? ` (${r.note})` : ''}`;
}
