/**
 * Per-request context: who calls, and batching loaders for related rows (no N+1 queries).
 *
 * It knows no concept: an entity loader works for any entity, and a concept that batches a
 * derived read (evaluations of a ticket, a dense mean) names its loader in `batch`, which keeps
 * one instance per request. So the composition root builds a context without importing concepts.
 */
import DataLoader from 'dataloader';
import { In, type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';

/** The scopes a token can hold, weakest first. */
export const SCOPES = ['read', 'run', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who sends a request: a token's owner, or anyone on this machine when auth is off. */
export interface Caller {
  /** null when auth is off */
  tokenId: string | null;
  name: string;
  scope: Scope;
}

/** Auth off (loopback only): every local process may do everything, as before tokens existed. */
export const LOCAL_CALLER: Caller = Object.freeze({ tokenId: null, name: 'local (auth off)', scope: 'admin' });

export class EntityLoaders {
  private readonly loaders = new Map<unknown, DataLoader<string, ObjectLiteral | null>>();

  constructor(private readonly ds: DataSource) {}

  /** Loads one row by primary key, batching all loads of the same entity in one tick. */
  async load<T extends ObjectLiteral & { id: string }>(entity: EntityTarget<T>, id: string | null): Promise<T | null> {
    if (id === null) return null;
    let loader = this.loaders.get(entity);
    if (!loader) {
      loader = new DataLoader<string, ObjectLiteral | null>(async (ids) => {
        const rows = await this.ds.getRepository(entity).findBy({ id: In([...ids]) } as never);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((i) => byId.get(i) ?? null);
      });
      this.loaders.set(entity, loader);
    }
    return (await loader.load(id)) as T | null;
  }
}

/**
 * Named loaders of derived or one-to-many reads, one instance per name and request. Each batches
 * every key asked for in one tick into one query, and caches per request.
 */
export class BatchLoaders {
  private readonly loaders = new Map<string, unknown>();

  get<K, V, C = K>(name: string, make: () => DataLoader<K, V, C>): DataLoader<K, V, C> {
    let l = this.loaders.get(name) as DataLoader<K, V, C> | undefined;
    if (!l) this.loaders.set(name, (l = make()));
    return l;
  }
}

/** Per-request memo: the same derived value (e.g. a dense mean score) is computed once per request. */
export class RequestMemo {
  private readonly values = new Map<string, Promise<unknown>>();

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let v = this.values.get(key) as Promise<T> | undefined;
    if (!v) {
      v = compute();
      this.values.set(key, v);
    }
    return v;
  }
}

export interface Context {
  /** who sends the request (LOCAL_CALLER when auth is off); the guard has checked its scope */
  caller: Caller;
  loaders: EntityLoaders;
  batch: BatchLoaders;
  memo: RequestMemo;
}

export function createContext(ds: DataSource, caller: Caller = LOCAL_CALLER): Context {
  return { caller, loaders: new EntityLoaders(ds), batch: new BatchLoaders(), memo: new RequestMemo() };
}
