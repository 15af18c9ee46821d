/** Per-request context: the DataSource and batching loaders for related rows (no N+1 queries). */
import DataLoader from 'dataloader';
import { In, type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';

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
  loaders: EntityLoaders;
  memo: RequestMemo;
}

export function createContext(ds: DataSource): Context {
  return { loaders: new EntityLoaders(ds), memo: new RequestMemo() };
}
