/**
 * Depth and cost of an operation, measured before it runs (issue "Limits").
 *
 * Cost = the estimated number of field resolutions: every field counts once per object it is
 * resolved on (a field that queries the database — a root field, a connection — counts
 * `dbFieldCost` each time, aliases included), and a list multiplies what is below it by its length — the connection's `first`
 * (20 when omitted, at most 100) for its `edges`, else an assumed `listSize`. Introspection fields
 * (`__schema`, `__type`, `__typename`) count neither way: they read no database, and graphql-js's
 * own MaxIntrospectionDepthRule (a standard validation rule) bounds their nesting.
 *
 * Our own ~80 lines rather than graphql-depth-limit + graphql-query-complexity: the cost rule
 * needs the variables (`first: $n`) and "first multiplies the edges below", which the library
 * only gets from per-field estimators declared on every resolver; and one walk gives both numbers.
 */
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE, MAX_PAGE } from '../kit/connection';

export interface OperationSize {
  depth: number;
  cost: number;
  /** the walk stopped early (fragment fan-out); the operation counts as too costly */
  truncated: boolean;
}

/** Upper bound on selections visited: repeated fragment spreads can make a walk exponential. */
const MAX_VISITS = 100_000;

function returnsList(t: GraphQLOutputType): boolean {
  const inner = isNonNullType(t) ? t.ofType : t;
  return isListType(inner);
}

/** The `first` argument's value (literal or variable), clamped to what the resolver accepts. */
function firstArg(
  node: FieldNode,
  def: GraphQLField<unknown, unknown>,
  variables: Record<string, unknown>,
): number | null {
  if (!def.args.some((a) => a.name === 'first')) return null;
  const arg = node.arguments?.find((a) => a.name.value === 'first');
  let v: unknown = undefined;
  if (arg?.value.kind === Kind.INT) v = Number(arg.value.value);
  else if (arg?.value.kind === Kind.VARIABLE) v = variables[arg.value.name.value];
  if (typeof v !== 'number' || !Number.isFinite(v)) return DEFAULT_PAGE;
  // Out of range is the resolver's clear BAD_USER_INPUT, not a cost error.
  return Math.min(Math.max(Math.trunc(v), 0), MAX_PAGE);
}

export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  listSize: number,
  dbFieldCost = 1,
): OperationSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const size: OperationSize = { depth: 0, cost: 0, truncated: false };
  let visits = 0;
  const inFragment = new Set<string>();

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    depth: number,
    count: number,
    page: number | null,
  ): void => {
    for (const sel of set.selections) {
      if (++visits > MAX_VISITS) {
        size.truncated = true;
        return;
      }
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[sel.name.value] : undefined;
        if (!def) continue; // validation reports unknown fields
        // A field that queries the database (a root field, a connection) costs its SQL each time,
        // however it is aliased: 9,999 aliases of runs(first: 0) are 9,999 queries.
        const queries = depth === 0 || getNamedType(def.type).name.endsWith('Connection');
        size.cost += count * (queries ? dbFieldCost : 1);
        size.depth = Math.max(size.depth, depth + 1);
        const named = getNamedType(def.type);
        if (!sel.selectionSet || !isCompositeType(named)) continue;
        const first = firstArg(sel, def, variables);
        if (returnsList(def.type)) walk(sel.selectionSet, named, depth + 1, count * (first ?? page ?? listSize), null);
        else walk(sel.selectionSet, named, depth + 1, count, first);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (cond && isCompositeType(cond)) walk(sel.selectionSet, cond, depth, count, page);
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || inFragment.has(name)) continue; // cycles are a validation error
        const cond = schema.getType(frag.typeCondition.name.value);
        if (!cond || !isCompositeType(cond)) continue;
        inFragment.add(name);
        walk(frag.selectionSet, cond, depth, count, page);
        inFragment.delete(name);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root, 0, 1, null);
  return size;
}
