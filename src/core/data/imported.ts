/**
 * Imported datasets as task examples: the normalised files importTask stores (annotations JSONL
 * with token ids and label indices; one safetensors region table whose metadata `images` lists
 * [id, first row, count]) turned into the same example types the SyntheticVL generators emit.
 * The rows were validated at import; what is checked here is only that the files agree.
 */
import { decodeSafetensors } from '../io/safetensors';
import type { ExampleByKind, SceneInput, Splits, TaskKind } from './types';

export interface ImportedFiles {
  /** normalised annotations (.jsonl) */
  annotations: string;
  /** region table (.safetensors) */
  regions: string;
}

type Row = Record<string, unknown> & { split: string };

function scenes(regions: Uint8Array): Map<string, SceneInput> {
  const d = decodeSafetensors(regions);
  const features = d.tensors.get('features');
  const boxes = d.tensors.get('boxes');
  if (!features || !boxes || !d.metadata.images)
    throw new Error('imported region table lacks features, boxes or its image index');
  const dim = features.shape[1];
  const out = new Map<string, SceneInput>();
  for (const [id, row, count] of JSON.parse(d.metadata.images) as Array<[string, number, number]>) {
    out.set(id, {
      features: (features.data as Float32Array).subarray(row * dim, (row + count) * dim),
      boxes: (boxes.data as Float32Array).subarray(row * 7, (row + count) * 7),
      count,
    });
  }
  return out;
}

function example(kind: TaskKind, r: Row, scene: (id: unknown) => SceneInput): unknown {
  switch (kind) {
    case 'VQA':
      return { scene: scene(r.image), question: r.question, annotatorAnswers: r.answers };
    case 'GQA':
      return { scene: scene(r.image), question: r.question, answer: r.answer };
    case 'VCR':
      return {
        scene: scene(r.image),
        question: r.question,
        answers: r.answers,
        answerLabel: r.answer_label,
        rationales: r.rationales,
        rationaleLabel: r.rationale_label,
      };
    case 'SNLI_VE':
      return { scene: scene(r.image), hypothesis: r.hypothesis, label: r.label };
    case 'REFCOCO':
      return { scene: scene(r.image), expression: r.expression, target: r.target };
    case 'NLVR2':
      return { scenes: (r.images as unknown[]).map(scene), statement: r.statement, label: r.label };
    case 'RETRIEVAL':
    case 'PRETRAIN':
      return { scene: scene(r.image), caption: r.caption };
  }
}

/**
 * Splits of an imported dataset. Training uses `train`; the test metrics come from `test`, or
 * from `val` when the dataset has no test rows (runs report what they were measured on).
 */
export function importedSplits<K extends TaskKind>(
  kind: K,
  annotations: string,
  regions: Uint8Array,
): Splits<ExampleByKind[K]> {
  const table = scenes(regions);
  const scene = (id: unknown): SceneInput => {
    const s = table.get(String(id));
    if (!s) throw new Error(`imported annotations name image ${JSON.stringify(id)}, which the region table lacks`);
    return s;
  };
  const splits: Record<string, Array<ExampleByKind[K]>> = { train: [], val: [], test: [] };
  for (const line of annotations.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as Row;
    splits[r.split]?.push(example(kind, r, scene) as ExampleByKind[K]);
  }
  const test = splits.test.length ? splits.test : splits.val;
  return { train: splits.train, val: [], test };
}
