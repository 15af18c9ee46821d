/**
 * Word-level bit operations on packed masks. Bit i lives in word i >>> 5 at bit i & 31, which on
 * a little-endian machine is byte i >>> 3 at bit i & 7 (LSB-first) — the at-rest format.
 */

import { PruningError } from './errors';

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of set bits in [start, end) of the bit string held in `words`. */
export function popcountRange(words: Uint32Array, start: number, end: number): number {
  if (end <= start) return 0;
  const w0 = start >>> 5;
  const w1 = (end - 1) >>> 5;
  const headMask = (0xffffffff << (start & 31)) >>> 0;
  const tailBits = end & 31;
  const tailMask = tailBits === 0 ? 0xffffffff : (0xffffffff >>> (32 - tailBits)) >>> 0;
  if (w0 === w1) return popcount32(words[w0] & headMask & tailMask);
  let n = popcount32(words[w0] & headMask) + popcount32(words[w1] & tailMask);
  for (let w = w0 + 1; w < w1; w++) n += popcount32(words[w]);
  return n;
}

/** 16 entries: four 0/1 bytes (as one little-endian uint32) for each 4-bit pattern. */
const NIBBLE_BYTES = new Uint32Array(16);
for (let v = 0; v < 16; v++)
  NIBBLE_BYTES[v] = (v & 1) | (((v >>> 1) & 1) << 8) | (((v >>> 2) & 1) << 16) | (((v >>> 3) & 1) << 24);

/**
 * Writes bits [start, start + src.length) from 0/1 bytes. Throws on any other byte value.
 * Fast path: 32 bits at a time from 8 little-endian uint32 reads when both sides are aligned.
 */
export function packBits(words: Uint32Array, start: number, src: Uint8Array): void {
  const n = src.length;
  let i = 0;
  // head: bit by bit until the destination is word-aligned
  while (i < n && ((start + i) & 31) !== 0) setBitChecked(words, start + i, src, i++);
  if (LITTLE_ENDIAN && ((src.byteOffset + i) & 3) === 0 && n - i >= 32) {
    const fullWords = (n - i) >>> 5;
    const s32 = new Uint32Array(src.buffer, src.byteOffset + i, fullWords * 8);
    let w = (start + i) >>> 5;
    for (let q = 0; q < s32.length; q += 8, w++) {
      let word = 0;
      for (let r = 0; r < 8; r++) {
        const x = s32[q + r];
        if ((x & 0xfefefefe) !== 0) throw badWord(i + 4 * (q + r), x);
        // gather bytes' low bits: byte b's bit lands at bit b
        word |= ((x | (x >>> 7) | (x >>> 14) | (x >>> 21)) & 0xf) << (4 * r);
      }
      words[w] = word;
    }
    i += fullWords * 32;
  }
  for (; i < n; i++) setBitChecked(words, start + i, src, i);
}

function setBitChecked(words: Uint32Array, bit: number, src: Uint8Array, i: number): void {
  const v = src[i];
  if (v > 1) throw new PruningError(`mask values must be 0 or 1; got ${v} at position ${i}`);
  const w = bit >>> 5;
  const m = 1 << (bit & 31);
  words[w] = v ? words[w] | m : words[w] & ~m;
}

function badWord(base: number, x: number): PruningError {
  let k = 0;
  while (k < 4 && ((x >>> (8 * k)) & 0xff) <= 1) k++;
  return new PruningError(`mask values must be 0 or 1; got ${(x >>> (8 * k)) & 0xff} at position ${base + k}`);
}

/** Reads bits [start, start + out.length) into 0/1 bytes. */
export function unpackBits(words: Uint32Array, start: number, out: Uint8Array): void {
  const n = out.length;
  let i = 0;
  while (i < n && ((start + i) & 31) !== 0) {
    const b = start + i;
    out[i++] = (words[b >>> 5] >>> (b & 31)) & 1;
  }
  if (LITTLE_ENDIAN && ((out.byteOffset + i) & 3) === 0 && n - i >= 32) {
    const fullWords = (n - i) >>> 5;
    const o32 = new Uint32Array(out.buffer, out.byteOffset + i, fullWords * 8);
    let w = (start + i) >>> 5;
    for (let q = 0; q < o32.length; q += 8, w++) {
      const word = words[w];
      o32[q] = NIBBLE_BYTES[word & 15];
      o32[q + 1] = NIBBLE_BYTES[(word >>> 4) & 15];
      o32[q + 2] = NIBBLE_BYTES[(word >>> 8) & 15];
      o32[q + 3] = NIBBLE_BYTES[(word >>> 12) & 15];
      o32[q + 4] = NIBBLE_BYTES[(word >>> 16) & 15];
      o32[q + 5] = NIBBLE_BYTES[(word >>> 20) & 15];
      o32[q + 6] = NIBBLE_BYTES[(word >>> 24) & 15];
      o32[q + 7] = NIBBLE_BYTES[word >>> 28];
    }
    i += fullWords * 32;
  }
  for (; i < n; i++) {
    const b = start + i;
    out[i] = (words[b >>> 5] >>> (b & 31)) & 1;
  }
}
