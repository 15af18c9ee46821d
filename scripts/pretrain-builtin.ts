/**
 * Reproduces the shipped model assets/models/mini-uniter from its seed: pre-trains the built-in
 * config on SyntheticVL PRETRAIN (MLM + ITM + MRM) and writes config.json, model.safetensors,
 * pretrain-head.safetensors and meta.json. Same seed, steps, backend and a fixed BLAS thread count
 * (TICKETLAB_BLAS_THREADS) → the same bytes; with the default timed choice of 1 or 2 threads for
 * large products the float sums, and so the bytes, can differ from run to run (same recipe and
 * quality: see the README's shipped-model paragraph).
 *   npm run pretrain:builtin -- [--steps N] [--batch B] [--lr X] [--seed S] [--out DIR] [--train N]
 *     [--warmup FRACTION] [--decay-linear] [--eval-every N] [--mlm-weight W] [--itm-weight W] [--mrm-weight W]
 *     [--init DIR] [--foil-share S] [--joint] [--eval-foils]
 * --init continues a saved model (its encoder and pre-training head; fresh optimiser state) instead
 * of starting from the seeded init; meta.json then keeps the earlier run's meta under `continued`.
 */
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { initBackend } from '../src/core/backend';
import { builtinConfig, BUILTIN_MODEL_NAME, loadBuiltinModel } from '../src/core/model/builtin';
import {
  createEncoder,
  encoderFromWeights,
  parameterCount,
  prunableParameterCount,
  scaledInitStd,
} from '../src/core/model/uniter';
import { encodeEncoderWeights } from '../src/core/model/weights';
import { encodeSafetensors } from '../src/core/io/safetensors';
import { pretrain } from '../src/core/training';
import { Rng } from '../src/core/rng';
import { dataSource, VOCAB_SIZE } from '../src/core/data';
import { getTask } from '../src/core/tasks/registry';
import { PRETRAIN_WEIGHTS } from '../src/core/tasks/pretrain';
import { PRETRAIN_ITM } from '../src/core/tasks/pretrain-corrupt';

export const PRETRAIN_SEED = 20220421;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

async function main(): Promise<void> {
  const info = await initBackend();
  const seed = arg('seed', PRETRAIN_SEED);
  const steps = arg('steps', 12000);
  const batchSize = arg('batch', 64);
  const lr = arg('lr', 2e-3);
  const trainSize = arg('train', 30000);
  const warmupFraction = arg('warmup', 0.02);
  const decay = process.argv.includes('--decay-linear') ? ('linear' as const) : ('constant' as const);
  const evalEvery = arg('eval-every', Math.max(1, Math.round(steps / 10)));
  // Objective weights default to PRETRAIN_WEIGHTS; a flag overrides one for this run (and meta.json records them).
  PRETRAIN_WEIGHTS.mlm = arg('mlm-weight', PRETRAIN_WEIGHTS.mlm);
  PRETRAIN_WEIGHTS.itm = arg('itm-weight', PRETRAIN_WEIGHTS.itm);
  PRETRAIN_WEIGHTS.mrm = arg('mrm-weight', PRETRAIN_WEIGHTS.mrm);
  PRETRAIN_ITM.foilShare = arg('foil-share', PRETRAIN_ITM.foilShare);
  // Split corruption (UNITER's) is the default; --joint reproduces the earlier recipe.
  if (process.argv.includes('--joint')) PRETRAIN_ITM.scheme = 'joint';
  if (process.argv.includes('--eval-foils')) PRETRAIN_ITM.evalFoils = true;
  const outIdx = process.argv.indexOf('--out');
  const out =
    outIdx >= 0 ? process.argv[outIdx + 1] : path.resolve(__dirname, '../../assets/models', BUILTIN_MODEL_NAME);
  const initIdx = process.argv.indexOf('--init');
  const init = initIdx >= 0 ? loadBuiltinModel(path.resolve(process.argv[initIdx + 1])) : null;
  const config = init ? init.config : builtinConfig(VOCAB_SIZE);
  const source = dataSource('PRETRAIN');
  const data = source.generate({
    seed,
    sizes: { ...source.defaultSizes, train: trainSize },
    regionFeatureDim: config.regionFeatureDim,
    maxRegions: config.maxRegions,
    maxTextLength: config.maxTextLength,
  });
  const task = getTask('PRETRAIN');
  const initStd = scaledInitStd(config.hidden);
  const encoder = init ? encoderFromWeights(config, init.weights) : createEncoder(config, new Rng(seed), initStd);
  const headWeights = init && init.pretrainHead.size > 0 ? init.pretrainHead : undefined;
  console.log(
    `pretrain ${BUILTIN_MODEL_NAME}: ${JSON.stringify(config)} on ${info.backend} (${info.kernels}); ${steps} steps, batch ${batchSize}, lr ${lr}, weights ${JSON.stringify(PRETRAIN_WEIGHTS)}, ITM foil share ${PRETRAIN_ITM.foilShare}, corruption ${PRETRAIN_ITM.scheme}, ${data.train.length} pairs`,
  );
  const start = Date.now();
  let window: number[] = [];
  const r = pretrain({
    encoder,
    task,
    data,
    steps,
    lr,
    batchSize,
    seed,
    evalEvery,
    warmupFraction,
    decay,
    headWeights,
    onProgress: (step, total, loss, rate, metrics) => {
      window.push(loss);
      if (step % 50 === 0 || step === total) {
        const mean = window.reduce((a, b) => a + b, 0) / window.length;
        window = [];
        const m = metrics ? ' val ' + JSON.stringify(metrics) : '';
        console.log(
          `step ${step}/${total} loss ${mean.toFixed(4)} lr ${rate.toExponential(2)} ${((Date.now() - start) / 1000).toFixed(0)}s${m}`,
        );
      }
    },
  });
  const seconds = (Date.now() - start) / 1000;
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const win = Math.max(1, Math.min(100, Math.floor(steps / 10)));
  const meta = {
    name: BUILTIN_MODEL_NAME,
    seed,
    steps,
    batchSize,
    lr,
    warmupFraction,
    decay,
    initStd,
    objectiveWeights: { ...PRETRAIN_WEIGHTS },
    itmFoilShare: PRETRAIN_ITM.foilShare,
    corruption: PRETRAIN_ITM.scheme === 'split' ? { scheme: 'split', mix: PRETRAIN_ITM.mix } : 'joint',
    trainPairs: data.train.length,
    backend: info.backend,
    kernels: info.kernels,
    seconds: Math.round(seconds),
    parameterCount: parameterCount(config),
    prunableParameterCount: prunableParameterCount(config),
    lossWindow: win,
    lossFirst: avg(r.lossHistory.slice(0, win)),
    lossLast: avg(r.lossHistory.slice(-win)),
    val: r.valHistory,
    ...(init ? { continued: init.meta } : {}),
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileSync(
    path.join(out, 'model.safetensors'),
    encodeEncoderWeights(encoder, { name: BUILTIN_MODEL_NAME, seed: String(seed), steps: String(steps) }),
  );
  writeFileSync(
    path.join(out, 'pretrain-head.safetensors'),
    encodeSafetensors(
      [...r.headWeights].map(([name, data]) => ({ name, dtype: 'F32' as const, shape: r.headShapes.get(name)!, data })),
    ),
  );
  writeFileSync(path.join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(
    `wrote ${out} in ${seconds.toFixed(0)} s; mean loss of the first/last ${win} steps ${meta.lossFirst.toFixed(4)} → ${meta.lossLast.toFixed(4)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
