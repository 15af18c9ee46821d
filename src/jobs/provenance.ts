/**
 * What produced a run's results: package version and git commit (when the code runs from a git
 * checkout), the backend, device and kernel set its computation reported, and the worker process.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Provenance {
  version: string | null;
  commit: string | null;
  backend: string;
  device: string;
  kernels: string;
  worker: string;
}

const ROOT = (() => {
  // dist/src/jobs or src/jobs: the package root is the nearest folder with package.json.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

let code: { version: string | null; commit: string | null } | null = null;

function codeVersion(): { version: string | null; commit: string | null } {
  if (code) return code;
  let version: string | null;
  let commit: string | null;
  try {
    version =
      (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    version = null;
  }
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
    if (dirty) commit += '+modified';
  } catch {
    commit = null; // not a git checkout (an npm package, a Docker image without .git)
  }
  code = { version, commit };
  return code;
}

export function provenanceOf(m: { backend: string; device: string; kernels: string }): Provenance {
  return {
    ...codeVersion(),
    backend: m.backend,
    device: m.device,
    kernels: m.kernels,
    worker: `${os.hostname()}:${process.pid}`,
  };
}
