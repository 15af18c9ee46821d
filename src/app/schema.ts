/**
 * Builds the executable schema from the resolver classes. Resolvers get their services through
 * a small container; building the schema alone (for schema/schema.graphql) needs no database.
 */
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { AnalysisResolver } from '../analysis/analysis.resolver';
import { AnalysisService } from '../analysis/analysis.service';
import { EvaluationResolver } from '../evaluation/evaluation.resolver';
import { EvaluationService } from '../evaluation/evaluation.service';
import { ImportResolver } from '../import/import.resolver';
import type { Config } from '../config';
import type { QueueSender } from '../jobs/queue';
import { ModelResolver } from '../model/model.resolver';
import { ModelService } from '../model/model.service';
import { RunEventResolver } from '../run/run-event.resolver';
import { LaunchService } from '../run/run.launch';
import { RunMutationResolver } from '../run/run.mutation';
import { RunResolver } from '../run/run.resolver';
import { RunService } from '../run/run.service';
import { TaskResolver } from '../task/task.resolver';
import { TaskService } from '../task/task.service';
import { TicketResolver } from '../ticket/ticket.resolver';
import { TicketService } from '../ticket/ticket.service';
import { SystemResolver } from '../system/system.resolver';
import { StudyReportResolver, StudyResolver } from '../study/study.resolver';
import { StudyReportService } from '../study/study.report';
import { StudyService } from '../study/study.service';
import { InstabilityResolver, InstabilityService } from '../analysis/instability';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const RESOLVERS: NonEmptyArray<Function> = [
  SystemResolver,
  ModelResolver,
  TaskResolver,
  TicketResolver,
  EvaluationResolver,
  RunResolver,
  RunEventResolver,
  AnalysisResolver,
  InstabilityResolver,
  RunMutationResolver,
  ImportResolver,
  StudyResolver,
  StudyReportResolver,
];

export interface Services {
  queue: QueueSender;
  models: ModelService;
  tasks: TaskService;
  tickets: TicketService;
  evaluations: EvaluationService;
  runs: RunService;
  launch: LaunchService;
  studies: StudyService;
}

export function createServices(ds: DataSource, queue: QueueSender, cfg: Config, log: (l: string) => void): Services {
  const launch = new LaunchService(ds, queue);
  return {
    launch,
    studies: new StudyService(ds, launch, cfg.study, log),
    queue,
    models: new ModelService(ds),
    tasks: new TaskService(ds),
    tickets: new TicketService(ds),
    evaluations: new EvaluationService(ds),
    runs: new RunService(ds),
  };
}

function resolverInstances(ds: DataSource, s: Services, cfg: Config): Map<unknown, unknown> {
  return new Map<unknown, unknown>([
    [SystemResolver, new SystemResolver(ds, s.queue)],
    [ModelResolver, new ModelResolver(s.models)],
    [TaskResolver, new TaskResolver(s.tasks)],
    [TicketResolver, new TicketResolver(s.tickets)],
    [EvaluationResolver, new EvaluationResolver(s.evaluations)],
    [RunResolver, new RunResolver(s.runs, s.tickets, s.evaluations)],
    [RunEventResolver, new RunEventResolver(s.runs)],
    [AnalysisResolver, new AnalysisResolver(new AnalysisService(ds))],
    [InstabilityResolver, new InstabilityResolver(new InstabilityService(ds))],
    [RunMutationResolver, new RunMutationResolver(s.launch)],
    [ImportResolver, new ImportResolver(ds, cfg.home)],
    [StudyResolver, new StudyResolver(s.studies)],
    [StudyReportResolver, new StudyReportResolver(new StudyReportService(ds))],
  ]);
}

/** type-graphql has no option for the root types' descriptions; the schema is the manual. */
function describeRoots(schema: GraphQLSchema): GraphQLSchema {
  const q = schema.getQueryType();
  const s = schema.getSubscriptionType();
  const m = schema.getMutationType();
  if (m)
    m.description =
      'Experiments: studies; pre-train, prune, evaluate and transfer runs, and their cancellation and retry; imports of checkpoints and datasets (admin).';
  if (q)
    q.description = "Reads of stored models, tasks, tickets, evaluations, runs and studies, and of the server's state.";
  if (s) s.description = 'Live streams over WebSocket (graphql-transport-ws) on /graphql.';
  return schema;
}

/** The schema the server executes. */
export async function buildAppSchema(
  ds: DataSource,
  pubSub: PubSub,
  cfg: Config,
  services: Services,
): Promise<GraphQLSchema> {
  const instances = resolverInstances(ds, services, cfg);
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    pubSub,
    container: {
      get: (cls: unknown) => {
        const found = instances.get(cls);
        if (!found) throw new Error(`no instance for resolver ${String(cls)}`);
        return found;
      },
    },
  });
  return describeRoots(schema);
}

/** SDL of the schema, sorted, as committed in schema/schema.graphql. */
export async function schemaSDL(): Promise<string> {
  // Printing never subscribes; the PubSub is only there because type-graphql demands one.
  const printOnly: PubSub = {
    publish: () => undefined,
    subscribe: () => {
      throw new Error('schema built for printing only');
    },
  };
  const schema = await buildSchema({ resolvers: RESOLVERS, pubSub: printOnly, validate: false });
  return printSchema(lexicographicSortSchema(describeRoots(schema))) + '\n';
}
