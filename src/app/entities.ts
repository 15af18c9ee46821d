/** The stored entities (TypeORM entities that are GraphQL object types too): the API's DataSource. */
import { ApiToken } from '../auth/api-token.entity';
import { Evaluation } from '../evaluation/evaluation.entity';
import { Model } from '../model/model.entity';
import { MetricPoint } from '../run/metric-point.entity';
import { Run } from '../run/run.entity';
import { Task } from '../task/task.entity';
import { Ticket } from '../ticket/ticket.entity';
import { Study } from '../study/study.entity';

export const ENTITIES = [Model, Task, Ticket, Evaluation, Run, MetricPoint, ApiToken, Study];
