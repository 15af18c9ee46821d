import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kit/context';
import { Run } from '../run/run.entity';
import { Model } from './model.entity';
import { ModelService } from './model.service';

@Resolver(() => Model)
export class ModelResolver {
  constructor(private readonly service: ModelService) {}

  @Query(() => [Model], { description: 'Every registered model, oldest first.' })
  models(): Promise<Model[]> {
    return this.service.list();
  }

  @Query(() => Model, { nullable: true, description: 'One model by id; a NOT_FOUND error when there is none.' })
  model(@Arg('id', () => ID, { description: "The model's id." }) id: string): Promise<Model> {
    return this.service.get(id);
  }

  @FieldResolver(() => Run, {
    nullable: true,
    description: 'The PRETRAIN run that produced the weights (source PRETRAINED_BY_RUN).',
  })
  run(@Root() model: Model, @Ctx() ctx: Context): Promise<Run | null> {
    return ctx.loaders.load(Run, model.runId);
  }
}
