/**
 * Verified writes into the artifact store: bytes go to a temp file in the same directory, are
 * flushed, read back and checked (size and sha256) and only then renamed to their final name,
 * so a crash, a full disk or a corrupted write leaves no visible file — at most a *.tmp that is
 * removed on failure.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export class ArtifactWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactWriteError';
  }
}

export interface VerifiedWriteOptions {
  /** called with the temp file after it is written and before it is verified (fault tests). */
  afterWrite?: (tmpPath: string) => void;
  /** file name before `ext` (default: the sha256 of the bytes). */
  baseName?: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores `bytes` as `dir/<sha256><ext>` (or `dir/<baseName><ext>`); returns the sha256 and whether
 * the file was created (false: a file of that name exists — under content addressing, the same bytes).
 */
export function writeVerified(
  dir: string,
  bytes: Uint8Array,
  ext: string,
  opts: VerifiedWriteOptions = {},
): { sha256: string; created: boolean; path: string } {
  const sha = sha256(bytes);
  const final = path.join(dir, `${opts.baseName ?? sha}${ext}`);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(final)) return { sha256: sha, created: false, path: final };
  const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    opts.afterWrite?.(tmp);
    const size = fs.statSync(tmp).size;
    if (size !== bytes.length) throw new ArtifactWriteError(`wrote ${size} bytes, expected ${bytes.length}`);
    const back = sha256(fs.readFileSync(tmp));
    if (back !== sha) throw new ArtifactWriteError(`sha256 of the written file is ${back}, expected ${sha}`);
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof ArtifactWriteError) throw e;
    throw new ArtifactWriteError(`could not store the artifact: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { sha256: sha, created: true, path: final };
}
