/**
 * Reading safetensors files: size limits are checked from fs.stat, then the header alone is read
 * and validated, and only then is the whole file read and decoded (no streaming).
 */
import { constants as bufferConstants } from 'buffer';
import { promises as fsp, openSync, closeSync, fstatSync, readSync, readFileSync } from 'fs';
import { decodeSafetensors, type DecodeOptions, type DecodedSafetensors } from './safetensors';
import { SafetensorsError, headerLength, parseHeader, DEFAULT_MAX_HEADER_BYTES } from './safetensors-header';

export interface ReadFileOptions extends DecodeOptions {
  /** refuse files larger than this; default the largest Buffer Node can allocate. */
  maxFileBytes?: number;
}

function checkSize(path: string, size: number, opts: ReadFileOptions): void {
  const max = Math.min(opts.maxFileBytes ?? bufferConstants.MAX_LENGTH, bufferConstants.MAX_LENGTH);
  if (size > max) throw new SafetensorsError(`${path}: ${size} bytes exceeds the limit of ${max} bytes`);
  if (size < 8) throw new SafetensorsError(`${path}: file too short (${size} bytes)`);
}

/** Reads, validates and decodes a safetensors file. */
export async function readSafetensorsFile(path: string, opts: ReadFileOptions = {}): Promise<DecodedSafetensors> {
  const fh = await fsp.open(path, 'r');
  try {
    const { size } = await fh.stat();
    checkSize(path, size, opts);
    const len = Buffer.alloc(8);
    await fh.read(len, 0, 8, 0);
    const n = headerLength(len, size, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
    const head = Buffer.alloc(8 + n);
    const { bytesRead } = await fh.read(head, 0, 8 + n, 0);
    if (bytesRead !== 8 + n) throw new SafetensorsError(`${path}: file changed while reading the header`);
    parseHeader(head, size, opts);
    const all = Buffer.alloc(size);
    let pos = 0;
    while (pos < size) {
      const r = await fh.read(all, pos, size - pos, pos);
      if (r.bytesRead === 0) throw new SafetensorsError(`${path}: file shrank while reading`);
      pos += r.bytesRead;
    }
    return decodeSafetensors(all, opts);
  } finally {
    await fh.close();
  }
}

/** Synchronous twin of readSafetensorsFile. */
export function readSafetensorsFileSync(path: string, opts: ReadFileOptions = {}): DecodedSafetensors {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    checkSize(path, size, opts);
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = headerLength(len, size, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
    const head = Buffer.alloc(8 + n);
    if (readSync(fd, head, 0, 8 + n, 0) !== 8 + n)
      throw new SafetensorsError(`${path}: file changed while reading the header`);
    parseHeader(head, size, opts);
  } finally {
    closeSync(fd);
  }
  const all = readFileSync(path);
  return decodeSafetensors(all, opts);
}
