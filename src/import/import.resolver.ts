import { Arg, Mutation, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { Model } from '../model/model.entity';
import { Task } from '../task/task.entity';
import { TaskImporter } from './dataset-import';
import { ImportModelInput, ImportTaskInput } from './import.input';
import { ModelImporter } from './model-import';

@Resolver()
export class ImportResolver {
  private readonly models: ModelImporter;
  private readonly tasks: TaskImporter;

  constructor(ds: DataSource, home: string) {
    this.models = new ModelImporter(ds, home);
    this.tasks = new TaskImporter(ds, home);
  }

  @Mutation(() => Model, {
    description:
      'Admin: imports a UNITER-style safetensors checkpoint and its config from $TICKETLAB_HOME/imports as a new model (source IMPORTED). ' +
      'Names, shapes and dtypes are checked against the config first; missing or unknown weights are listed in the BAD_USER_INPUT error. ' +
      'The weights are stored as F32 in the artifact store through a verified write (temp file, sha256 and size check, rename).',
  })
  importModel(
    @Arg('input', () => ImportModelInput, { description: "The checkpoint, its config and the new model's name." })
    input: ImportModelInput,
  ): Promise<Model> {
    return this.models.importModel(input);
  }

  @Mutation(() => Task, {
    description:
      'Admin: imports a dataset directory from $TICKETLAB_HOME/imports (dataset.json, train/val/test.jsonl, regions.safetensors or features.npy + boxes.npy + images.json) as a new task. ' +
      'Every row is validated; the first bad rows are named in the BAD_USER_INPUT error (file, line, field, why). ' +
      'Runs on the new task train on its train rows and report metrics on its test rows (val rows when it has no test split); a model whose regionFeatureDim, vocabulary or maxRegions cannot serve it is refused with BAD_USER_INPUT.',
  })
  importTask(
    @Arg('input', () => ImportTaskInput, {
      description: "The dataset directory, its task kind and the new task's name.",
    })
    input: ImportTaskInput,
  ): Promise<Task> {
    return this.tasks.importTask(input);
  }
}
