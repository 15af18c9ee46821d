/**
 * Why does adversarial fine-tuning hurt here? Fine-tunes the shipped model densely on one task,
 * standard and adversarial under several settings of the attack (radius ε per modality, which
 * modalities, the KL weight β), same seed and budget, and prints the primary test metric of each
 * — the measurements behind the adversarial defaults (src/core/training/adversarial.ts).
 *   node dist/scripts/adversarial-sweep.js --task VQA [--seed 1] [--settings first,eps/10,word,region/10,beta0,default]
 */
import { initBackend } from '../src/core/backend';
import { evaluateTicket } from '../src/core/lottery';
import { loadBuiltinModel } from '../src/core/model/builtin';
import { ADVERSARIAL_DEFAULTS, type AdversarialOptions } from '../src/core/training/adversarial';
import { getTask } from '../src/core/tasks/registry';
import type { TaskKind } from '../src/core/data';

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// Radii are given relative to the first defaults (the table in docs/science.md was measured so);
// `default` is whatever the core's defaults are now (ADVERSARIAL_DEFAULTS: the first ones ÷ 10).
const E = { word: 0.17, region: 2.8 };
void ADVERSARIAL_DEFAULTS;
const SETTINGS: Record<string, AdversarialOptions> = {
  default: {},
  first: { epsilon: E, stepSize: { word: E.word / 2, region: E.region / 2 } },
  'eps/10': {
    epsilon: { word: E.word / 10, region: E.region / 10 },
    stepSize: { word: E.word / 20, region: E.region / 20 },
  },
  'eps/30': {
    epsilon: { word: E.word / 30, region: E.region / 30 },
    stepSize: { word: E.word / 60, region: E.region / 60 },
  },
  'eps/100': {
    epsilon: { word: E.word / 100, region: E.region / 100 },
    stepSize: { word: E.word / 200, region: E.region / 200 },
  },
  word: { modalities: ['word'], epsilon: E, stepSize: { word: E.word / 2, region: E.region / 2 } },
  region: { modalities: ['region'], epsilon: E, stepSize: { word: E.word / 2, region: E.region / 2 } },
  'region/10': { modalities: ['region'], epsilon: { region: E.region / 10 }, stepSize: { region: E.region / 20 } },
  beta0: { beta: 0, epsilon: E, stepSize: { word: E.word / 2, region: E.region / 2 } },
  // the current radius with half the adversarial and KL weights
  'alpha0.5': { alpha: 0.5, beta: 0.5 },
};

async function main(): Promise<void> {
  const info = await initBackend();
  const kind = (opt('task') ?? 'VQA') as TaskKind;
  const seed = Number(opt('seed') ?? 1);
  const names = (opt('settings') ?? 'first,eps/10,word,region/10,beta0,default').split(',');
  const model = loadBuiltinModel();
  const task = getTask(kind);
  const run = (adversarial: AdversarialOptions | null) => {
    const t0 = Date.now();
    const e = evaluateTicket({
      theta0: model.weights,
      config: model.config,
      mask: null,
      task,
      data: { seed: 1, sizes: { val: 0 } },
      trainingMode: adversarial ? 'ADVERSARIAL' : 'STANDARD',
      adversarial: adversarial ?? undefined,
      seed,
    });
    return { score: e.score, seconds: (Date.now() - t0) / 1000 };
  };
  console.log(`${kind}, seed ${seed}, ${task.defaults.steps} steps, ${info.backend} (${info.kernels})`);
  const std = run(null);
  console.log(`| STANDARD | ${std.score.toFixed(4)} | 1.000 | ${std.seconds.toFixed(0)} s |`);
  for (const n of names) {
    const r = run(
      SETTINGS[n] ??
        (() => {
          throw new Error(`unknown setting ${n}`);
        })(),
    );
    console.log(
      `| ADVERSARIAL ${n} | ${r.score.toFixed(4)} | ${(r.score / std.score).toFixed(3)} | ${r.seconds.toFixed(0)} s |`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
