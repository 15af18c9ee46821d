/**
 * The artifact store (DESIGN §1): files named by their sha256 under $TICKETLAB_HOME/artifacts.
 * Workers on other machines mount the same directory. Writes go to a temp file that is flushed,
 * read back and checked (size, sha256) before it is renamed into place (verified-write.ts), so a
 * reader never sees a partial or corrupted file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sha256, writeVerified } from './verified-write';

export class ArtifactStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'artifacts');
  }

  pathOf(sha256: string, suffix = ''): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.dir, `${sha256}${suffix}.safetensors`);
  }

  /** Stores bytes under their sha256 (or under `key` + suffix); returns the sha256 of the bytes. */
  put(bytes: Uint8Array, opts: { key?: string; suffix?: string } = {}): string {
    const sha = sha256(bytes);
    const base = path.basename(this.pathOf(opts.key ?? sha, opts.suffix ?? ''), '.safetensors');
    writeVerified(this.dir, bytes, '.safetensors', { baseName: base });
    return sha;
  }

  /** Reads a stored file and checks its sha256 when it is stored under its own hash. */
  get(key: string, suffix = ''): Buffer {
    const file = this.pathOf(key, suffix);
    if (!fs.existsSync(file)) throw new Error(`artifact ${path.basename(file)} is missing from ${this.dir}`);
    const bytes = fs.readFileSync(file);
    if (suffix === '' && sha256(bytes) !== key) throw new Error(`artifact ${key} is corrupt (sha256 mismatch)`);
    return bytes;
  }
}
