/**
 * Model and task arguments by id or by name. Tasks also match by kind ("vqa", "SNLI_VE") when
 * exactly one task has that kind, so `--task vqa` finds the built-in synthetic-vqa.
 */
import type { Endpoint } from './args';
import { CliError, EXIT } from './errors';
import { gql } from './http';

export interface Named {
  id: string;
  name: string;
  kind?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pure matching, exported for tests: id, then exact name, then case-insensitive name, then kind. */
export function pick(what: 'model' | 'task', arg: string, items: Named[]): Named {
  const key = arg.trim().toLowerCase();
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  const tries: Array<(x: Named) => boolean> = [
    (x) => x.id.toLowerCase() === key,
    (x) => x.name === arg,
    (x) => x.name.toLowerCase() === key,
    (x) => !!x.kind && norm(x.kind) === norm(arg),
    (x) => norm(x.name) === norm(arg) || norm(x.name) === `synthetic${norm(arg)}`,
  ];
  for (const t of tries) {
    const found = items.filter(t);
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new CliError(
        `${what} "${arg}" is ambiguous: ${found.map((x) => x.name).join(', ')}; give a name or an id`,
        EXIT.USAGE,
      );
    }
  }
  const known = items.map((x) => x.name).join(', ') || 'none';
  throw new CliError(`no ${what} "${arg}" (known: ${known})`, UUID.test(arg) ? EXIT.SERVER_ERROR : EXIT.USAGE);
}

export async function resolveModel(ep: Endpoint, arg: string): Promise<Named> {
  const d = await gql<{ models: Named[] }>(ep, '{ models { id name } }');
  return pick('model', arg, d.models);
}

export async function resolveTask(ep: Endpoint, arg: string): Promise<Named> {
  const d = await gql<{ tasks: Named[] }>(ep, '{ tasks { id name kind } }');
  return pick('task', arg, d.tasks);
}
