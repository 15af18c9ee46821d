/** Per-request context: the DataSource and batching loaders for related rows (no N+1 queries). */
import DataLoader from 'dataloader';
import { LOCAL_CALLER, type Caller } from '../auth/guard';
import { In, type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { denseMeans, evaluationsForTickets } from '../evaluation/evaluation.batch';
import type { Evaluation } from '../evaluation/evaluation.entity';
import { Model } from '../model/model.entity';
import type { LayerSparsity, Ticket } from '../ticket/ticket.entity';
import { layerSparsityForTickets } from '../ticket/ticket.layer-counts';

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
 * Loaders of derived or one-to-many reads. Each batches every key asked for in one tick into one
 * query, and caches per request.
 */
export class RelationLoaders {
  /** ticket id → its evaluations, oldest first. */
  readonly evaluationsByTicket: DataLoader<string, Evaluation[]>;
  /** denseKey(...) → mean dense PRETRAINED score (null when none). */
  readonly denseMean: DataLoader<string, number | null>;
  /** ticket → its per-layer counts, counted from the stored mask. */
  readonly layerSparsity: DataLoader<Ticket, LayerSparsity[], string>;

  constructor(ds: DataSource, entities: EntityLoaders) {
    this.evaluationsByTicket = new DataLoader((ids) => evaluationsForTickets(ds, ids));
    this.denseMean = new DataLoader((keys) => denseMeans(ds, keys));
    this.layerSparsity = new DataLoader((tickets) => layerSparsityForTickets(ds, tickets, (t) => entities.load(Model, t.modelId)), {
      cacheKeyFn: (t) => t.id,
    });
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
  relations: RelationLoaders;
  memo: RequestMemo;
}

export function createContext(ds: DataSource, caller: Caller = LOCAL_CALLER): Context {
  const loaders = new EntityLoaders(ds);
  return { caller, loaders, relations: new RelationLoaders(ds, loaders), memo: new RequestMemo() };
}
