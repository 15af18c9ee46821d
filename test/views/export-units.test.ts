import { Mask } from '../../src/core/pruning';
import { decodeSafetensors } from '../../src/core/io/safetensors';
import { csvField, csvRow } from '../../src/export/csv';
import { maskFile } from '../../src/export/mask-stream';
import { parseCsv } from './csv-parse';

describe('RFC 4180 CSV', () => {
  test('quotes exactly the fields that need it and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(new Date('2025-01-02T03:04:05.678Z'))).toBe('2025-01-02T03:04:05.678Z');
  });

  test('rows round-trip through a strict reader', () => {
    const values = ['x', 'a,b', '"q"', 'line\r\nbreak', '', 'é ünïcode'];
    const text = csvRow(values) + csvRow(['1', '2', '3', '4', '5', '6']);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([values, ['1', '2', '3', '4', '5', '6']]);
  });
});

describe('streamed mask safetensors', () => {
  const specs = [
    { name: 'uniter.encoder.layer.0.attention.self.query.weight', shape: [3, 5] },
    { name: 'uniter.encoder.layer.0.intermediate.dense.weight', shape: [7, 3] },
    { name: 'uniter.pooler.dense.weight', shape: [2, 2] },
  ];
  const total = 15 + 21 + 4;
  const bits = new Uint8Array(total).map((_, i) => (i % 3 === 0 || i > 30 ? 1 : 0));
  const mask = Mask.pack(specs, bits);

  function concat(file: ReturnType<typeof maskFile>): Buffer {
    return Buffer.concat([file.header, ...[...file.tensors()].map((t) => Buffer.from(t))]);
  }

  test('is byte-identical to Mask.toSafetensors and has the announced size', () => {
    const meta = { 'ticketlab.ticket': 'abc' };
    const file = maskFile(mask, meta);
    const bytes = concat(file);
    expect(bytes.length).toBe(file.size);
    expect(bytes.equals(mask.toSafetensors(meta))).toBe(true);
  });

  test('decodes to U8 0/1 tensors named and shaped like the weights, in order', () => {
    const decoded = decodeSafetensors(concat(maskFile(mask, {})));
    expect([...decoded.tensors.keys()]).toEqual(specs.map((s) => s.name));
    let offset = 0;
    for (const s of specs) {
      const t = decoded.tensors.get(s.name)!;
      expect(t.dtype).toBe('U8');
      expect(t.shape).toEqual(s.shape);
      const n = s.shape[0] * s.shape[1];
      expect([...t.data]).toEqual([...bits.subarray(offset, offset + n)]);
      offset += n;
    }
    expect(decoded.metadata['ticketlab.sha256']).toBe(mask.sha256());
    expect(Mask.fromSafetensors(concat(maskFile(mask, {}))).equals(mask)).toBe(true);
  });
});
