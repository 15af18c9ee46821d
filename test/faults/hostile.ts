/** Hostile and broken safetensors files and dataset rows for the bad-input suite. */
import * as fs from 'fs';
import * as path from 'path';
import { encodeSafetensors, type EncodeTensor } from '../../src/core/io/safetensors';

/** 8-byte length + header JSON text (padded with spaces to 8) + data. */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Buffer {
  let h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
}

/** A valid file whose header is rewritten by `edit` (offsets and data kept). */
export function withHeader(
  tensors: EncodeTensor[],
  edit: (h: Record<string, Record<string, unknown>>) => void,
): Buffer {
  const good = encodeSafetensors(tensors);
  const n = Number(good.readBigUInt64LE(0));
  const header = JSON.parse(good.subarray(8, 8 + n).toString('utf8')) as Record<string, Record<string, unknown>>;
  edit(header);
  return rawSafetensors(header, good.subarray(8 + n));
}

/** The first and last tensor's names in the data section's order (F32 only: header order). */
export function firstTensor(tensors: EncodeTensor[]): string {
  return tensors[0].name;
}

/** Hostile files: name → bytes. Each must be refused with BAD_USER_INPUT by importModel. */
export function hostileCheckpoints(valid: EncodeTensor[]): Array<[string, Buffer | 'dir']> {
  const good = encodeSafetensors(valid);
  const n = Number(good.readBigUInt64LE(0));
  const first = firstTensor(valid);
  const nanWeights = valid.map((t, i) =>
    i === 3 ? { ...t, data: Float32Array.from(t.data, (v, j) => (j === 0 ? NaN : v)) } : t,
  );
  const bigHeader = Buffer.alloc(17 * 1024 * 1024 + 8, 0x20);
  bigHeader.writeBigUInt64LE(BigInt(17 * 1024 * 1024), 0);
  bigHeader.write('{}', 8);
  return [
    ['empty file', Buffer.alloc(0)],
    ['3 bytes', Buffer.from([1, 2, 3])],
    ['header length past the end of the file', rawSafetensors({}, new Uint8Array(4), 1000n)],
    ['header length 2^63', rawSafetensors({}, new Uint8Array(4), 2n ** 63n)],
    ['oversized header (17 MB of JSON whitespace)', bigHeader],
    ['header not JSON', rawSafetensors('{"a": [1, 2', new Uint8Array(0))],
    ['header a JSON array', rawSafetensors('[1, 2, 3]')],
    [
      'header not UTF-8',
      Buffer.concat([
        Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from([0xff, 0xfe, 0xfd, 0x7b, 0x7d, 0x20, 0x20, 0x20]),
      ]),
    ],
    ['truncated (data cut in half)', good.subarray(0, 8 + n + Math.floor((good.length - 8 - n) / 2))],
    [
      'overlapping offsets',
      rawSafetensors(
        {
          a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
          b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
        },
        new Uint8Array(24),
      ),
    ],
    [
      'hole between tensors',
      rawSafetensors(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
        },
        new Uint8Array(24),
      ),
    ],
    ['trailing bytes', Buffer.concat([good, Buffer.alloc(16)])],
    [
      'offsets past the data section',
      rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
    ],
    ['negative offsets', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, new Uint8Array(4))],
    [
      'shape that overflows',
      rawSafetensors({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4)),
    ],
    [
      'shape and byte length disagree',
      withHeader(valid, (h) => {
        h[first].shape = [1];
      }),
    ],
    [
      'unknown dtype',
      withHeader(valid, (h) => {
        h[first].dtype = 'F33';
      }),
    ],
    [
      'wrong dtype (I32 relabelled, same size)',
      withHeader(valid, (h) => {
        h[first].dtype = 'I32';
      }),
    ],
    [
      'duplicate tensor name',
      Buffer.concat([
        (() => {
          const b = rawSafetensors(
            '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
            new Uint8Array(8),
          );
          return b;
        })(),
      ]),
    ],
    [
      '__metadata__ not strings',
      withHeader(valid, (h) => {
        (h as Record<string, unknown>).__metadata__ = { a: 1 };
      }),
    ],
    ['NaN weight', encodeSafetensors(nanWeights)],
    ['a directory, not a file', 'dir'],
  ];
}

/** For each task kind: a manifest and a row lacking one required field (the field named). */
export const ROWS_MISSING_FIELDS: Array<{
  kind: string;
  manifest: Record<string, unknown>;
  row: Record<string, unknown>;
  field: string;
}> = [
  { kind: 'VQA', manifest: { answers: ['yes', 'no'] }, row: { image: 'img0', answers: ['yes'] }, field: 'question' },
  { kind: 'GQA', manifest: { answers: ['yes', 'no'] }, row: { image: 'img0', question: 'is it red' }, field: 'answer' },
  {
    kind: 'VCR',
    manifest: {},
    row: { image: 'img0', question: 'what is it', answers: ['a', 'a', 'a', 'a'], answer_label: 0, rationale_label: 1 },
    field: 'rationales',
  },
  { kind: 'SNLI_VE', manifest: {}, row: { hypothesis: 'the cube is red', label: 'entailment' }, field: 'image' },
  { kind: 'REFCOCO', manifest: {}, row: { image: 'img0', expression: 'the red cube' }, field: 'target' },
  { kind: 'RETRIEVAL', manifest: {}, row: { image: 'img0' }, field: 'caption' },
  { kind: 'NLVR2', manifest: {}, row: { images: ['img0', 'img1'], label: true }, field: 'statement' },
  { kind: 'PRETRAIN', manifest: {}, row: { caption: 'a red cube' }, field: 'image' },
];

/**
 * Broken dataset directories: name → how to spoil a valid one (files written by writeDataset) and
 * the start of the error. Each must be refused with BAD_USER_INPUT by importTask.
 */
export const HOSTILE_DATASETS: Array<{
  name: string;
  format: 'safetensors' | 'npy';
  spoil: (dir: string, outside: string) => void;
  message: RegExp;
}> = [
  {
    name: 'dataset.json is not JSON',
    format: 'safetensors',
    spoil: (d) => fs.writeFileSync(path.join(d, 'dataset.json'), '{"kind": "SNLI_VE",'),
    message: /^dataset\.json: not valid JSON/,
  },
  {
    name: 'dataset.json is an array',
    format: 'safetensors',
    spoil: (d) => fs.writeFileSync(path.join(d, 'dataset.json'), '[]'),
    message: /^dataset\.json: must be a JSON object/,
  },
  {
    name: 'no train.jsonl',
    format: 'safetensors',
    spoil: (d) => fs.rmSync(path.join(d, 'train.jsonl')),
    message: /has no train\.jsonl/,
  },
  {
    name: 'no region files',
    format: 'safetensors',
    spoil: (d) => fs.rmSync(path.join(d, 'regions.safetensors')),
    message: /neither regions\.safetensors nor features\.npy/,
  },
  {
    name: 'regions.safetensors truncated',
    format: 'safetensors',
    spoil: (d) => fs.truncateSync(path.join(d, 'regions.safetensors'), 100),
    message: /^regions\.safetensors: not a valid safetensors file/,
  },
  {
    name: 'features.npy is a pickled object array',
    format: 'npy',
    spoil: (d) =>
      fs.writeFileSync(
        path.join(d, 'features.npy'),
        npyWithHeader(
          "{'descr': '|O', 'fortran_order': False, 'shape': (3, 4, 8), }",
          Buffer.from("cos\nsystem\n(S'echo pwned'\ntR."),
        ),
      ),
    message: /^features\.npy: dtype \|O is not supported/,
  },
  {
    name: 'features.npy in Fortran order',
    format: 'npy',
    spoil: (d) =>
      fs.writeFileSync(
        path.join(d, 'features.npy'),
        npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4, 8), }", Buffer.alloc(3 * 4 * 8 * 4)),
      ),
    message: /^features\.npy: Fortran-order/,
  },
  {
    name: 'features.npy header length past the file',
    format: 'npy',
    spoil: (d) => {
      const b = fs.readFileSync(path.join(d, 'features.npy'));
      b.writeUInt16LE(60000, 8);
      fs.writeFileSync(path.join(d, 'features.npy'), b.subarray(0, 200));
    },
    message: /^features\.npy: header length 60000 runs past the end/,
  },
  {
    name: 'features.npy data shorter than its shape',
    format: 'npy',
    spoil: (d) => {
      const f = path.join(d, 'features.npy');
      fs.truncateSync(f, fs.statSync(f).size - 4);
    },
    message: /^features\.npy: data has \d+ bytes, shape \(3, 4, 8\)/,
  },
  {
    name: 'boxes.npy of another shape',
    format: 'npy',
    spoil: (d) =>
      fs.writeFileSync(
        path.join(d, 'boxes.npy'),
        npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 6), }", Buffer.alloc(3 * 4 * 6 * 4)),
      ),
    message: /^boxes\.npy: must be \[3, 4, 7\]/,
  },
  {
    name: 'images.json with fewer images than the arrays',
    format: 'npy',
    spoil: (d) => fs.writeFileSync(path.join(d, 'images.json'), '[{"id": "img0", "regions": 3}]'),
    message: /^images\.json: must be an array of 3 entries/,
  },
  {
    name: 'images.json claims more regions than stored',
    format: 'npy',
    spoil: (d) =>
      fs.writeFileSync(
        path.join(d, 'images.json'),
        '[{"id": "img0", "regions": 9}, {"id": "img1", "regions": 2}, {"id": "img2", "regions": 4}]',
      ),
    message: /^images\.json\[0\]\.regions: must be an integer in 1\.\.4/,
  },
  {
    name: 'NaN in a region feature',
    format: 'npy',
    spoil: (d) => {
      const f = path.join(d, 'features.npy');
      const b = fs.readFileSync(f);
      b.writeFloatLE(NaN, b.length - 4 * 8 * 3);
      fs.writeFileSync(f, b);
    },
    message: /features hold NaN or Infinity/,
  },
  {
    name: 'train.jsonl is a symlink out of the imports directory',
    format: 'safetensors',
    spoil: (d, out) => {
      fs.rmSync(path.join(d, 'train.jsonl'));
      fs.symlinkSync(path.join(out, 'secret.jsonl'), path.join(d, 'train.jsonl'));
    },
    message: /resolves \(through a symbolic link\) outside/,
  },
  {
    name: 'rows that are not objects, and a 4-line VCR row with 3 answers',
    format: 'safetensors',
    spoil: (d) => fs.writeFileSync(path.join(d, 'train.jsonl'), '[1, 2]\n"text"\nnull\n'),
    message: /^path: 3 bad row\(s\); first 3: train\.jsonl line 1: field "\(row\)" must be a JSON object/,
  },
  {
    name: 'a 1 MB line of one text',
    format: 'safetensors',
    spoil: (d) =>
      fs.writeFileSync(
        path.join(d, 'train.jsonl'),
        JSON.stringify({ image: 'img0', hypothesis: 'red '.repeat(262_144), label: 0 }) + '\n',
      ),
    message: /field "hypothesis" has 262144 tokens, more than 510/,
  },
];

function npyWithHeader(header: string, data: Buffer): Buffer {
  const total = 10 + header.length + 1;
  const padded = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  head.writeUInt16LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), data]);
}
