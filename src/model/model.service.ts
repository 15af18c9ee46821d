import type { DataSource, Repository } from 'typeorm';
import { NotFoundError } from '../kit/errors';
import { isUuid } from '../kit/ids';
import { Model } from './model.entity';

export class ModelService {
  private readonly repo: Repository<Model>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(Model);
  }

  /** All models, oldest first (few rows: no pagination, DESIGN §7 `models: [Model!]!`). */
  list(): Promise<Model[]> {
    return this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<Model> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('model', id);
    return found;
  }
}
