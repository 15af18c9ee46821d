/**
 * Bounds on a request before graphql-js walks it (HTTP and WebSocket alike). graphql-js' parser,
 * its validation rules and our cost walker recurse; a document can be small in bytes and still
 * nest deeper than the stack (3,600 chained fragments, 10,000 nested braces). So: the parser stops
 * at `maxTokens`; then one iterative pass measures nesting, the longest chain of fragment spreads,
 * the fragment count and the root fields (aliases count), and refuses what exceeds the limits —
 * before validation runs. Every string on its way to PostgreSQL is checked here too: PostgreSQL
 * refuses a NUL byte in text, so a NUL in a literal or a variable is a BAD_USER_INPUT.
 */
import {
  GraphQLError,
  Kind,
  parse,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { LimitsConfig } from '../config';
import { BadInputError } from '../kit/errors';
import { LimitError } from './guard';

/** Nesting of selection sets (fields and inline fragments) the server accepts syntactically. */
export const MAX_NESTING = 64;
/** Longest chain of fragment spreads (F0 spreads F1 spreads F2 …). */
export const MAX_SPREAD_CHAIN = 32;
/** Fragment definitions in one document. */
export const MAX_FRAGMENTS = 200;
/** Variables nested deeper than this are refused (JSON.stringify and coercion recurse). */
export const MAX_VALUE_NESTING = 64;

/**
 * Parses with the token bound (past it: QUERY_TOO_COSTLY, a limit like the others); any other
 * failure, a stack overflow included, is GRAPHQL_PARSE_FAILED.
 */
export function parseBounded(source: string, limits: LimitsConfig): DocumentNode {
  try {
    return parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    if (err instanceof GraphQLError && /contains more th\w* \d+ tokens/.test(err.message)) {
      throw new LimitError(
        'QUERY_TOO_COSTLY',
        `the document has more than ${limits.maxTokens} tokens; this server allows at most ${limits.maxTokens} (TICKETLAB_MAX_TOKENS)`,
      );
    }
    const message = err instanceof GraphQLError ? err.message : 'Syntax Error: the document nests too deep to parse';
    throw new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  }
}

function children(set: SelectionSetNode): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  for (const s of set.selections) if (s.kind !== Kind.FRAGMENT_SPREAD && s.selectionSet) out.push(s.selectionSet);
  return out;
}

function spreadsIn(set: SelectionSetNode): string[] {
  const names: string[] = [];
  const stack = [set];
  while (stack.length) {
    const s = stack.pop()!;
    for (const sel of s.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) names.push(sel.name.value);
      else if (sel.selectionSet) stack.push(sel.selectionSet);
    }
  }
  return names;
}

/** Deepest selection-set nesting of one definition, without recursion. */
function nesting(set: SelectionSetNode): number {
  let max = 0;
  const stack: Array<[SelectionSetNode, number]> = [[set, 1]];
  while (stack.length) {
    const [s, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_NESTING) return d;
    for (const c of children(s)) stack.push([c, d + 1]);
  }
  return max;
}

/** Longest spread chain from any definition; cycles are left to validation (they stop the count). */
function longestSpreadChain(fragments: Map<string, FragmentDefinitionNode>, roots: SelectionSetNode[]): number {
  const memo = new Map<string, number>();
  const edges = new Map<string, string[]>();
  for (const [name, f] of fragments)
    edges.set(
      name,
      spreadsIn(f.selectionSet).filter((n) => fragments.has(n)),
    );
  // Iterative post-order DFS: chain(f) = 1 + max chain of what f spreads.
  for (const start of fragments.keys()) {
    if (memo.has(start)) continue;
    const stack: Array<[string, number]> = [[start, 0]];
    const onPath = new Set<string>([start]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = edges.get(top[0])!;
      if (top[1] < next.length) {
        const n = next[top[1]++];
        if (!memo.has(n) && !onPath.has(n)) {
          onPath.add(n);
          stack.push([n, 0]);
        }
        continue;
      }
      stack.pop();
      onPath.delete(top[0]);
      memo.set(top[0], 1 + Math.max(0, ...next.map((n) => memo.get(n) ?? 0)));
    }
  }
  let longest = 0;
  for (const r of roots) for (const n of spreadsIn(r)) longest = Math.max(longest, memo.get(n) ?? 0);
  return longest;
}

/** Root fields of the operation, aliases and root-level fragments included (each counts). */
function rootFieldCount(op: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): number {
  let count = 0;
  const seen = new Set<string>();
  const stack = [op.selectionSet];
  while (stack.length) {
    const s = stack.pop()!;
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) count++;
      else if (sel.kind === Kind.INLINE_FRAGMENT) stack.push(sel.selectionSet);
      else if (!seen.has(sel.name.value) && fragments.has(sel.name.value)) {
        seen.add(sel.name.value);
        stack.push(fragments.get(sel.name.value)!.selectionSet);
      }
    }
  }
  return count;
}

/** A string literal anywhere in the document with a NUL byte, iteratively. */
function literalWithNul(doc: DocumentNode): boolean {
  const stack: unknown[] = [doc];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === 'object') {
      const node = n as ASTNode & { value?: unknown };
      if (node.kind === Kind.STRING && typeof node.value === 'string' && node.value.includes('\u0000')) return true;
      for (const [k, v] of Object.entries(node)) if (k !== 'loc' && v && typeof v === 'object') stack.push(v);
    }
  }
  return false;
}

/** Refuses a document whose shape would overflow a recursive walk, before validation. */
export function checkDocumentShape(doc: DocumentNode, limits: LimitsConfig): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const roots: SelectionSetNode[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    if (d.kind === Kind.FRAGMENT_DEFINITION || d.kind === Kind.OPERATION_DEFINITION) roots.push(d.selectionSet);
  }
  if (fragments.size > MAX_FRAGMENTS)
    throw new LimitError(
      'QUERY_TOO_COSTLY',
      `the document defines ${fragments.size} fragments; this server allows at most ${MAX_FRAGMENTS}`,
    );
  for (const r of roots) {
    const d = nesting(r);
    if (d > MAX_NESTING)
      throw new LimitError('QUERY_TOO_DEEP', `the document nests selections more than ${MAX_NESTING} deep`);
  }
  const chain = longestSpreadChain(fragments, roots);
  if (chain > MAX_SPREAD_CHAIN)
    throw new LimitError(
      'QUERY_TOO_DEEP',
      `the document chains ${chain} fragment spreads; this server allows at most ${MAX_SPREAD_CHAIN}`,
    );
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const n = rootFieldCount(d, fragments);
    if (n > limits.maxRootFields) {
      throw new LimitError(
        'QUERY_TOO_COSTLY',
        `the operation asks for ${n} root fields (each alias counts); this server allows at most ${limits.maxRootFields}`,
      );
    }
  }
  if (literalWithNul(doc))
    throw new BadInputError('a string in the document contains a NUL byte (U+0000), which the database cannot store');
}

/** Variables: bounded nesting (iterative) and no NUL in any string; names the variable. */
export function checkVariables(variables: Record<string, unknown> | null | undefined): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const stack: Array<[unknown, number]> = [[value, 1]];
    while (stack.length) {
      const [v, d] = stack.pop()!;
      if (typeof v === 'string') {
        if (v.includes('\u0000'))
          throw new BadInputError(`variable $${name} contains a NUL byte (U+0000), which the database cannot store`);
      } else if (v && typeof v === 'object') {
        if (d > MAX_VALUE_NESTING)
          throw new BadInputError(`variable $${name} nests more than ${MAX_VALUE_NESTING} levels deep`);
        for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push([c, d + 1]);
      }
    }
  }
}
