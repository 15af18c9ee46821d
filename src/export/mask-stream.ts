/**
 * A ticket's mask as a safetensors file, produced tensor by tensor: byte-identical to
 * Mask.toSafetensors (one U8 0/1 tensor per prunable weight, named and shaped like it, in
 * canonical order), but only one tensor is unpacked at a time, so a download of a large model's
 * mask holds the packed mask plus its largest matrix in memory, not the whole unpacked file.
 */
import type { Mask } from '../core/pruning';

export interface MaskFile {
  /** 8-byte length + padded JSON header. */
  header: Buffer;
  /** total file size in bytes. */
  size: number;
  /** the data section, one tensor's 0/1 bytes at a time. */
  tensors(): Iterable<Uint8Array>;
}

export function maskFile(mask: Mask, metadata: Record<string, string>): MaskFile {
  const meta: Record<string, string> = {
    ...metadata,
    format: 'pt',
    'ticketlab.kind': 'mask',
    'ticketlab.order': JSON.stringify(mask.segments.map((s) => s.name)),
    'ticketlab.total': String(mask.total),
    'ticketlab.pruned': String(mask.pruned),
    'ticketlab.sha256': mask.sha256(),
  };
  // All tensors are U8: the data section holds them in header order, back to back.
  const header: Record<string, unknown> = { __metadata__: meta };
  for (const s of mask.segments)
    header[s.name] = { dtype: 'U8', shape: [...s.shape], data_offsets: [s.offset, s.offset + s.length] };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const head = Buffer.alloc(8 + padded, 0x20);
  head.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(head, 8);
  return {
    header: head,
    size: head.length + mask.total,
    *tensors() {
      for (let i = 0; i < mask.segments.length; i++) yield mask.unpackSegment(i);
    },
  };
}
