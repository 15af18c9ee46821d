/** Finds a Python 3 with the notebook example's required packages (requests, websockets). */
import { spawnSync } from 'child_process';

export interface PythonFound {
  exe: string | null;
  why: string;
}

export function findPython(): PythonFound {
  const candidates = [process.env.TICKETLAB_PYTHON, '/usr/bin/python3', 'python3'].filter((x): x is string => !!x);
  const tried: string[] = [];
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', 'import requests, websockets'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return { exe, why: '' };
    tried.push(`${exe}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { exe: null, why: `no Python 3 with requests and websockets (${tried.join('; ')})` };
}
