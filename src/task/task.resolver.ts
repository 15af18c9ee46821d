import { Arg, ID, Query, Resolver } from 'type-graphql';
import { Task } from './task.entity';
import { TaskService } from './task.service';

@Resolver(() => Task)
export class TaskResolver {
  constructor(private readonly service: TaskService) {}

  @Query(() => [Task], { description: 'Every task: the built-in SyntheticVL tasks first, then imported ones.' })
  tasks(): Promise<Task[]> {
    return this.service.list();
  }

  @Query(() => Task, { nullable: true, description: 'One task by id; a NOT_FOUND error when there is none.' })
  task(@Arg('id', () => ID, { description: "The task's id." }) id: string): Promise<Task> {
    return this.service.get(id);
  }
}
