/**
 * Who may do what (DESIGN §7, issue "Authentication and scopes"). The policy is decided per root
 * field of an operation, before anything runs, so no resolver can forget a check:
 * queries and subscriptions need `read`; each mutation needs the scope in MUTATION_SCOPES, and a
 * mutation missing from it needs `admin` (default deny: a new mutation is closed until listed).
 */
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

import { SCOPES, type Scope } from '../kit/context';

export { SCOPES, type Scope };

const RANK: Record<Scope, number> = { read: 1, run: 2, admin: 3 };

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** true when a token of scope `have` may do what needs `need`. */
export function covers(have: Scope, need: Scope): boolean {
  return RANK[have] >= RANK[need];
}

/** The scope of each Mutation field. `run`: start, cancel and retry runs; `admin`: imports. */
export const MUTATION_SCOPES: Readonly<Record<string, Scope>> = {
  pretrainModel: 'run',
  startPruning: 'run',
  evaluate: 'run',
  startInstability: 'run',
  runTransfer: 'run',
  cancelRun: 'run',
  retryRun: 'run',
  startStudy: 'run',
  cancelStudy: 'run',
  importModel: 'admin',
  importTask: 'admin',
};

/** Names of the root fields an operation selects, through fragments (aliases do not matter). */
export function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) names.add(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const f = fragments.get(sel.name.value);
        if (f) walk(f.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...names];
}

/** The scope an operation needs: the highest of its root fields' (`__typename` needs only read). */
export function requiredScope(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): { scope: Scope; field: string | null } {
  if (operation.operation !== 'mutation') return { scope: 'read', field: null };
  let need: { scope: Scope; field: string | null } = { scope: 'read', field: null };
  for (const name of rootFieldNames(document, operation)) {
    if (name === '__typename') continue;
    const scope = Object.prototype.hasOwnProperty.call(MUTATION_SCOPES, name) ? MUTATION_SCOPES[name] : 'admin';
    if (need.field === null || RANK[scope] > RANK[need.scope]) need = { scope, field: name };
  }
  return need;
}
