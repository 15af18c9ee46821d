/** Finds a Python 3 with a notebook example's required packages (default requests, websockets). */
import { spawn, spawnSync } from 'child_process';
import { REPO_ROOT } from '../helpers/server';

export interface PythonFound {
  exe: string | null;
  why: string;
}

export function findPython(modules = ['requests', 'websockets']): PythonFound {
  const candidates = [process.env.TICKETLAB_PYTHON, '/usr/bin/python3', 'python3'].filter((x): x is string => !!x);
  const tried: string[] = [];
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return { exe, why: '' };
    tried.push(`${exe}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { exe: null, why: `no Python 3 with ${modules.join(', ')} (${tried.join('; ')})` };
}

/** Runs a child process from the repository root; resolves with its exit code and output. */
export function run(
  exe: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const p = spawn(exe, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MPLBACKEND: 'Agg' },
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}
