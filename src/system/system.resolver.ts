import { Field, ObjectType, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { computeInfo } from '../core/backend';
import type { QueueSender } from '../jobs/queue';
import { UnavailableError } from '../kit/errors';

@ObjectType({ description: "The compute backend this server's workers run on." })
export class ComputeInfo {
  @Field({ description: 'Active tfjs backend: tensorflow, wasm or cpu.' })
  backend!: string;

  @Field({ description: 'True only when the tensorflow backend runs on a CUDA device.' })
  gpu!: boolean;

  @Field(() => String, { nullable: true, description: 'Device description, e.g. "cpu (wasm)" or "cuda:0".' })
  device!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Kernel set running the hot ops, e.g. "plain" or "native-blas".',
  })
  kernels!: string | null;
}

@Resolver()
export class SystemResolver {
  constructor(
    private readonly ds: DataSource,
    private readonly queue: QueueSender,
  ) {}

  @Query(() => String, {
    description: '"ok" when the server, its database and its job queue answer; SERVICE_UNAVAILABLE otherwise.',
  })
  async health(): Promise<string> {
    await this.ds.query('SELECT 1');
    if (!(await this.queue.ready())) throw new UnavailableError('the job queue is not installed in this database');
    return 'ok';
  }

  @Query(() => ComputeInfo, { description: 'Which compute backend is active; never claims a GPU it does not use.' })
  compute(): ComputeInfo {
    return computeInfo();
  }
}
