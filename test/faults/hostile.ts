/** Hostile and broken safetensors files and dataset rows for the bad-input suite. */
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
export function withHeader(tensors: EncodeTensor[], edit: (h: Record<string, Record<string, unknown>>) => void): Buffer {
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
  const nanWeights = valid.map((t, i) => (i === 3 ? { ...t, data: Float32Array.from(t.data, (v, j) => (j === 0 ? NaN : v)) } : t));
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
    ['header not UTF-8', Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfe, 0xfd, 0x7b, 0x7d, 0x20, 0x20, 0x20])])],
    ['truncated (data cut in half)', good.subarray(0, 8 + n + Math.floor((good.length - 8 - n) / 2))],
    ['overlapping offsets', rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, new Uint8Array(24))],
    ['hole between tensors', rawSafetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] } }, new Uint8Array(24))],
    ['trailing bytes', Buffer.concat([good, Buffer.alloc(16)])],
    ['offsets past the data section', rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8))],
    ['negative offsets', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, new Uint8Array(4))],
    ['shape that overflows', rawSafetensors({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4))],
    ['shape and byte length disagree', withHeader(valid, (h) => { h[first].shape = [1]; })],
    ['unknown dtype', withHeader(valid, (h) => { h[first].dtype = 'F33'; })],
    ['wrong dtype (I32 relabelled, same size)', withHeader(valid, (h) => { h[first].dtype = 'I32'; })],
    ['duplicate tensor name', Buffer.concat([(() => { const b = rawSafetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)); return b; })()])],
    ['__metadata__ not strings', withHeader(valid, (h) => { (h as Record<string, unknown>).__metadata__ = { a: 1 }; })],
    ['NaN weight', encodeSafetensors(nanWeights)],
    ['a directory, not a file', 'dir'],
  ];
}

/** For each task kind: a manifest and a row lacking one required field (the field named). */
export const ROWS_MISSING_FIELDS: Array<{ kind: string; manifest: Record<string, unknown>; row: Record<string, unknown>; field: string }> = [
  { kind: 'VQA', manifest: { answers: ['yes', 'no'] }, row: { image: 'img0', answers: ['yes'] }, field: 'question' },
  { kind: 'GQA', manifest: { answers: ['yes', 'no'] }, row: { image: 'img0', question: 'is it red' }, field: 'answer' },
  { kind: 'VCR', manifest: {}, row: { image: 'img0', question: 'what is it', answers: ['a', 'a', 'a', 'a'], answer_label: 0, rationale_label: 1 }, field: 'rationales' },
  { kind: 'SNLI_VE', manifest: {}, row: { hypothesis: 'the cube is red', label: 'entailment' }, field: 'image' },
  { kind: 'REFCOCO', manifest: {}, row: { image: 'img0', expression: 'the red cube' }, field: 'target' },
  { kind: 'RETRIEVAL', manifest: {}, row: { image: 'img0' }, field: 'caption' },
  { kind: 'NLVR2', manifest: {}, row: { images: ['img0', 'img1'], label: true }, field: 'statement' },
  { kind: 'PRETRAIN', manifest: {}, row: { caption: 'a red cube' }, field: 'image' },
];
