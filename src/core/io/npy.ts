/**
 * A reader for NumPy .npy files (format versions 1–3), little-endian float arrays in C order only:
 * '<f4' as is, '<f2' and '<f8' converted to float32. Everything else is refused with a reason;
 * nothing is ever unpickled (object arrays are refused from the header).
 */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_NPY_HEADER = 65536;

export function parseNpy(buf: Uint8Array): NpyArray {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw new NpyError('not a .npy file (bad magic)');
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new NpyError('truncated header');
    hlen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(`unsupported .npy version ${major}`);
  }
  if (hlen > MAX_NPY_HEADER) throw new NpyError(`header of ${hlen} bytes is too long`);
  if (start + hlen > buf.length) throw new NpyError(`header length ${hlen} runs past the end of the file`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError('header lacks descr, fortran_order or shape');
  if (fortran === 'True') throw new NpyError('Fortran-order arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NpyError(`invalid shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytesPer = { '<f4': 4, '<f2': 2, '<f8': 8 }[descr];
  if (bytesPer === undefined) throw new NpyError(`dtype ${descr} is not supported (little-endian float16/32/64 only)`);
  const dataStart = start + hlen;
  const need = count * bytesPer;
  if (buf.length - dataStart !== need)
    throw new NpyError(
      `data has ${buf.length - dataStart} bytes, shape (${shape.join(', ')}) × ${descr} needs ${need}`,
    );
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const p = dataStart + i * bytesPer;
    out[i] =
      bytesPer === 4 ? dv.getFloat32(p, true) : bytesPer === 8 ? dv.getFloat64(p, true) : half(dv.getUint16(p, true));
  }
  return { shape, data: out };
}

function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
