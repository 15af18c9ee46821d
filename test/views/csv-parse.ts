/** A strict RFC 4180 reader for the tests (CRLF records, quoted fields with doubled quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  if (text.length > 0 && !text.endsWith('\r\n')) throw new Error('CSV must end with CRLF');
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n')
          throw new Error(`bare ${JSON.stringify(text[i])} in unquoted field at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

/** Records as objects keyed by the header row. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  const [header, ...rows] = parseCsv(text);
  for (const r of rows)
    if (r.length !== header.length) throw new Error(`row has ${r.length} fields, header ${header.length}`);
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]]))) };
}
