/**
 * Does pre-training matter on SyntheticVL? For each downstream task, fine-tunes the shipped
 * mini-uniter and the same architecture from random init with the same seeds and the task's
 * default budget (the random init is the one pre-training started from: scaledInitStd), and reports the primary test metric (mean ± std over seeds), chance level,
 * the difference and the wall time per fine-tune. Prints a markdown table; writes JSON under
 * .ticketlab/calibration/.
 *   npm run calibrate -- [--tasks VQA,GQA,...] [--seeds 3] [--data-seed 1] [--model DIR]
 *     [--steps N] [--lr X] [--train N]
 * --steps, --lr and --train override every task's default budget and train size (for exploring a
 * change of defaults; the table the README carries is run without them).
 */
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { initBackend } from '../src/core/backend';
import { loadBuiltinModel } from '../src/core/model/builtin';
import { createEncoder, encoderFromWeights, scaledInitStd } from '../src/core/model/uniter';
import { fineTune } from '../src/core/training';
import { Rng } from '../src/core/rng';
import { chanceLevel, dataSource, TASK_KINDS, type TaskKind } from '../src/core/data';
import { getTask } from '../src/core/tasks/registry';
import { rankHeadFromItm } from '../src/core/tasks/retrieval';

/** The check of the issue: pre-trained beats random init by at least this (primary metric, 3 seeds). */
export const REQUIRED_GAIN = 0.05;

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

interface Row {
  task: TaskKind;
  metric: string;
  chance: number;
  seeds: number[];
  pretrained: number[];
  random: number[];
  seconds: number[];
}

async function main(): Promise<void> {
  const info = await initBackend();
  const tasks = (opt('tasks')?.split(',') ?? TASK_KINDS.filter((k) => k !== 'PRETRAIN')) as TaskKind[];
  const nSeeds = Number(opt('seeds') ?? 3);
  const dataSeed = Number(opt('data-seed') ?? 1);
  const modelDir = opt('model');
  const steps = opt('steps') !== undefined ? Number(opt('steps')) : undefined;
  const lr = opt('lr') !== undefined ? Number(opt('lr')) : undefined;
  const train = opt('train') !== undefined ? Number(opt('train')) : undefined;
  const model = modelDir ? loadBuiltinModel(path.resolve(modelDir)) : loadBuiltinModel();
  const config = model.config;
  console.log(
    `calibrate on ${info.backend} (${info.kernels}); ${tasks.join(', ')}; ${nSeeds} seed(s)${steps ? `; steps ${steps}` : ''}${lr ? `; lr ${lr}` : ''}${train ? `; train ${train}` : ''}`,
  );
  const rows: Row[] = [];
  for (const kind of tasks) {
    const task = getTask(kind);
    const source = dataSource(kind);
    const data = source.generate({
      seed: dataSeed,
      sizes: { ...source.defaultSizes, ...(train ? { train } : {}) },
      regionFeatureDim: config.regionFeatureDim,
      maxRegions: config.maxRegions,
      maxTextLength: config.maxTextLength,
    });
    const row: Row = {
      task: kind,
      metric: task.metrics[0],
      chance: chanceLevel(kind, data.test as never, source.numAnswers),
      seeds: [],
      pretrained: [],
      random: [],
      seconds: [],
    };
    for (let s = 1; s <= nSeeds; s++) {
      row.seeds.push(s);
      for (const init of ['pretrained', 'random'] as const) {
        const encoder =
          init === 'pretrained'
            ? encoderFromWeights(config, model.weights)
            : createEncoder(config, new Rng(1000 + s), scaledInitStd(config.hidden));
        // UNITER starts the retrieval rank head from the pre-trained ITM head.
        const headWeights =
          init === 'pretrained' && kind === 'RETRIEVAL'
            ? (rankHeadFromItm(model.pretrainHead, config.hidden) ?? undefined)
            : undefined;
        const t0 = Date.now();
        const r = fineTune({ encoder, task, data: data as never, seed: s, headWeights, steps, lr });
        const sec = (Date.now() - t0) / 1000;
        encoder.dispose();
        row[init].push(r.metrics[row.metric]);
        row.seconds.push(sec);
        console.log(
          `${kind} seed ${s} ${init}: ${row.metric} ${r.metrics[row.metric].toFixed(4)} (${sec.toFixed(1)} s)`,
        );
      }
    }
    rows.push(row);
  }
  const f = (x: number): string => x.toFixed(3);
  const lines = [
    `| task | metric | chance | pre-trained | random init | difference | passes (≥ ${REQUIRED_GAIN}) | s / fine-tune |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const d = mean(r.pretrained) - mean(r.random);
      const n = r.seeds.length;
      const pass =
        n >= 3
          ? d >= REQUIRED_GAIN
            ? 'yes'
            : 'no'
          : `${d >= REQUIRED_GAIN ? 'yes' : 'no'} (${n} seed${n > 1 ? 's' : ''})`;
      return `| ${r.task} | ${r.metric} | ${f(r.chance)} | ${f(mean(r.pretrained))} ± ${f(std(r.pretrained))} | ${f(mean(r.random))} ± ${f(std(r.random))} | ${d >= 0 ? '+' : ''}${f(d)} | ${pass} | ${mean(r.seconds).toFixed(1)} |`;
    }),
  ];
  console.log(`\n${lines.join('\n')}\n`);
  const dir = path.resolve(process.cwd(), '.ticketlab', 'calibration');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `calibration-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { backend: info, model: model.meta.name ?? 'mini-uniter', dataSeed, overrides: { steps, lr, train }, rows },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
