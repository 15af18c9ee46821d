/**
 * The contract between the SyntheticVL generators (src/core/data) and the task heads
 * (src/core/tasks). Examples are plain JS data, no tensors: the task's batch builder turns
 * them into tensors. Token sequences exclude [CLS]/[SEP]; batch builders add them.
 */

export type TaskKind = 'VQA' | 'GQA' | 'VCR' | 'SNLI_VE' | 'REFCOCO' | 'RETRIEVAL' | 'NLVR2' | 'PRETRAIN';

export const TASK_KINDS: readonly TaskKind[] = [
  'VQA',
  'GQA',
  'VCR',
  'SNLI_VE',
  'REFCOCO',
  'RETRIEVAL',
  'NLVR2',
  'PRETRAIN',
];

/** Special token ids, fixed for every vocabulary. */
export const PAD = 0;
export const UNK = 1;
export const CLS = 2;
export const SEP = 3;
export const MASK = 4;

/** Word-level vocabulary: id = index; ids 0..4 are PAD, UNK, CLS, SEP, MASK. */
export interface Vocabulary {
  readonly tokens: readonly string[];
  id(word: string): number;
}

/** One image in UNITER's input layout. */
export interface SceneInput {
  /** count × regionFeatureDim, row-major (the analogue of detector features). */
  features: Float32Array;
  /** count × 7: x1, y1, x2, y2, w, h, w·h, all in [0, 1]. */
  boxes: Float32Array;
  /** number of regions, 1 ≤ count ≤ maxRegions. */
  count: number;
}

export type Tokens = number[];

export interface VqaExample {
  scene: SceneInput;
  question: Tokens;
  /** 10 simulated annotator answers (answer-class ids); soft target = min(1, votes / 3). */
  annotatorAnswers: number[];
}
export interface GqaExample {
  scene: SceneInput;
  question: Tokens;
  answer: number;
}
export interface VcrExample {
  scene: SceneInput;
  question: Tokens;
  /** exactly 4 candidate answers */
  answers: Tokens[];
  answerLabel: number;
  /** exactly 4 candidate rationales (for the correct answer) */
  rationales: Tokens[];
  rationaleLabel: number;
}
export interface SnliVeExample {
  scene: SceneInput;
  hypothesis: Tokens;
  /** 0 entailment, 1 neutral, 2 contradiction */ label: number;
}
export interface RefcocoExample {
  scene: SceneInput;
  expression: Tokens;
  /** index of the referred region */ target: number;
}
/** Caption i describes scene i; evaluation ranks every caption against every scene of a split. */
export interface RetrievalExample {
  scene: SceneInput;
  caption: Tokens;
}
export interface Nlvr2Example {
  scenes: [SceneInput, SceneInput];
  statement: Tokens;
  /** 1 true, 0 false */ label: number;
}
/** Aligned image–caption pair; MLM/ITM/MRM corruption is applied by the batch builder with its rng. */
export interface PretrainExample {
  scene: SceneInput;
  caption: Tokens;
  /** optional hard negative: a caption false of this scene (ITM may use it instead of another pair's caption). */
  foil?: Tokens;
}

export interface ExampleByKind {
  VQA: VqaExample;
  GQA: GqaExample;
  VCR: VcrExample;
  SNLI_VE: SnliVeExample;
  REFCOCO: RefcocoExample;
  RETRIEVAL: RetrievalExample;
  NLVR2: Nlvr2Example;
  PRETRAIN: PretrainExample;
}

export interface Splits<E> {
  train: E[];
  val: E[];
  test: E[];
}

export interface SplitSizes {
  train: number;
  val: number;
  test: number;
}

/** Options shared by every generator. The same options always give the same examples. */
export interface GenerateOptions {
  seed: number;
  sizes: SplitSizes;
  regionFeatureDim: number;
  maxRegions: number;
  /** longest token sequence a generator may emit (before [CLS]/[SEP]). */
  maxTextLength: number;
}

/** What the data module exposes per task kind. */
export interface TaskDataSource<K extends TaskKind> {
  kind: K;
  /** number of answer classes for classification heads (VQA, GQA); 0 where not used. */
  numAnswers: number;
  /** default split sizes of the built-in benchmark. */
  defaultSizes: SplitSizes;
  generate(opts: GenerateOptions): Splits<ExampleByKind[K]>;
}
