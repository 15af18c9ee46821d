/**
 * The fixed word-level vocabulary of SyntheticVL and the shared answer list.
 *
 * Ids are positions in VOCAB_TOKENS, so the list is append-only: reordering it would change the
 * meaning of every shipped word embedding.
 */
import { SHAPES, SHAPE_PLURALS, COLOURS, SIZES, MATERIALS } from './world';
import type { Tokens, Vocabulary } from './types';

export const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
] as const;
/** Properties that no region feature carries: statements about them are undeterminable (SNLI-VE neutral). */
export const UNOBSERVABLE = ['heavy', 'old', 'new', 'expensive', 'hollow', 'warm'] as const;

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const FUNCTION_WORDS = [
  'the',
  'a',
  'an',
  'is',
  'are',
  'there',
  'what',
  'how',
  'many',
  'colour',
  'shape',
  'size',
  'material',
  'thing',
  'things',
  'object',
  'objects',
  'of',
  'left',
  'right',
  'above',
  'below',
  'on',
  'and',
  'or',
  'it',
  'because',
  'in',
  'image',
  'images',
  'both',
  'only',
  'contain',
  'contains',
  'more',
  'fewer',
  'than',
  'exactly',
  'total',
  'same',
  'yes',
  'no',
  'not',
  'each',
  'at',
  'least',
];

function dedupe(words: string[]): string[] {
  return [...new Set(words)];
}

/** Every token, id = index: specials 0..4, then the words of every template. */
export const VOCAB_TOKENS: readonly string[] = dedupe([
  ...SPECIAL_TOKENS,
  ...FUNCTION_WORDS,
  ...SIZES,
  ...COLOURS,
  ...MATERIALS,
  ...SHAPES,
  ...SHAPE_PLURALS,
  ...NUMBER_WORDS,
  ...UNOBSERVABLE,
]);
export const VOCAB_SIZE = VOCAB_TOKENS.length;

const index = new Map<string, number>(VOCAB_TOKENS.map((w, i) => [w, i]));

/** The vocabulary; unknown words map to UNK (id 1). */
export const VOCAB: Vocabulary = {
  tokens: VOCAB_TOKENS,
  id(word: string): number {
    return index.get(word) ?? 1;
  },
};

export function vocabulary(): Vocabulary {
  return VOCAB;
}

/** Strict tokeniser for generated text: an unknown word is a template bug, so it throws. */
export function encodeWords(words: readonly string[]): Tokens {
  return words.map((w) => {
    const id = index.get(w);
    if (id === undefined) throw new Error(`SyntheticVL: word "${w}" is not in the vocabulary`);
    return id;
  });
}

export function decodeTokens(tokens: readonly number[]): string {
  return tokens.map((t) => VOCAB_TOKENS[t] ?? '[UNK]').join(' ');
}

/**
 * Answer classes shared by VQA and GQA (a fixed list, so both heads have the same width and an
 * answer id means the same word in both tasks).
 */
export const ANSWER_WORDS: readonly string[] = [
  'yes',
  'no',
  ...NUMBER_WORDS,
  ...COLOURS,
  ...SHAPES,
  ...SIZES,
  ...MATERIALS,
  'left',
  'right',
  'above',
  'below',
];
export const NUM_ANSWERS = ANSWER_WORDS.length;
const answerIndex = new Map<string, number>(ANSWER_WORDS.map((w, i) => [w, i]));

export function answerId(word: string): number {
  const id = answerIndex.get(word);
  if (id === undefined) throw new Error(`SyntheticVL: "${word}" is not an answer class`);
  return id;
}
