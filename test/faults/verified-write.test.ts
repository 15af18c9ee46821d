/** Verified writes of the artifact store: a write that does not read back as written leaves nothing. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArtifactStore } from '../../src/artifacts/store';
import { ArtifactWriteError, sha256, writeVerified } from '../../src/artifacts/verified-write';

let home: string;
beforeEach(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketlab-vw-'))));
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

test('a torn or corrupted temp file is caught by the size or sha256 check and removed', () => {
  const bytes = Buffer.from('θ0 weights');
  expect(() => writeVerified(home, bytes, '.bin', { afterWrite: (t) => fs.truncateSync(t, 3) })).toThrow(
    /wrote 3 bytes, expected/,
  );
  expect(() =>
    writeVerified(home, bytes, '.bin', { afterWrite: (t) => fs.writeFileSync(t, Buffer.alloc(bytes.length, 1)) }),
  ).toThrow(ArtifactWriteError);
  expect(fs.readdirSync(home)).toEqual([]);
  const ok = writeVerified(home, bytes, '.bin');
  expect(ok).toMatchObject({ sha256: sha256(bytes), created: true });
  expect(fs.readdirSync(home)).toEqual([`${sha256(bytes)}.bin`]);
  expect(writeVerified(home, bytes, '.bin').created).toBe(false);
});

test('the artifact store keeps its names: <sha>.safetensors, and <key><suffix>.safetensors', () => {
  const store = new ArtifactStore(home);
  const w = Buffer.from('weights');
  const sha = store.put(w);
  store.put(Buffer.from('head'), { key: sha, suffix: '.head' });
  expect(fs.readdirSync(store.dir).sort()).toEqual([`${sha}.head.safetensors`, `${sha}.safetensors`]);
  expect(store.get(sha).equals(w)).toBe(true);
  expect(store.get(sha, '.head').toString()).toBe('head');
});
