/**
 * `npm run bench`: median step times on the active backend next to PyTorch references, one
 * line per row (bench/row.ts). Not part of `npm test`.
 */
import { existsSync } from 'fs';
import * as path from 'path';
import { initBackend } from '../src/core/backend';
import { formatRow, type BenchRow } from './row';
import { benchBaseLayer, benchShippedStep } from './training.bench';

type Suite = () => Promise<BenchRow[]>;

/** Benchmarks kept in sibling files, included when present. */
function optionalSuite(file: string, fn: string): Suite | null {
  if (!existsSync(path.join(__dirname, `${file}.js`))) return null;
  const mod = require(`./${file}`) as Record<string, unknown>;
  return typeof mod[fn] === 'function' ? (mod[fn] as Suite) : null;
}

async function main(): Promise<void> {
  // The reference uses as many threads as our BLAS kernels.
  process.env.TICKETLAB_BENCH_THREADS ??= process.env.TICKETLAB_BLAS_THREADS ?? '';
  const info = await initBackend();
  console.log(`bench backend: ${info.backend} (${info.device}, kernels ${info.kernels})`);
  // TICKETLAB_BENCH_ONLY=graphql (a comma list of training, kernels, pruning, imp, graphql) runs only those rows.
  const only = process.env.TICKETLAB_BENCH_ONLY
    ? new Set(process.env.TICKETLAB_BENCH_ONLY.split(',').map((s) => s.trim()))
    : null;
  const wanted = (name: string) => !only || only.has(name);
  if (wanted('training')) for (const r of [...benchShippedStep(), ...benchBaseLayer()]) console.log(formatRow(r));
  for (const [file, fn] of [
    ['kernels.bench', 'benchKernels'],
    ['pruning.bench', 'benchPruning'],
    ['imp.bench', 'benchImp'],
    ['graphql.bench', 'benchGraphql'],
  ] as const) {
    if (!wanted(file.replace('.bench', ''))) continue;
    const suite = optionalSuite(file, fn);
    if (suite) for (const r of await suite()) console.log(formatRow(r));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
