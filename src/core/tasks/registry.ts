/**
 * Task kind → task definition (DESIGN §5). Adding a task is one file plus one line here.
 * VQA and GQA size their answer heads from the data source's answer list.
 */
import type { TaskKind } from '../data/types';
import { dataSources } from '../data';
import type { TaskDefinition } from './types';
import { createVqaTask } from './vqa';
import { createGqaTask } from './gqa';
import { vcrTask } from './vcr';
import { snliVeTask } from './snli-ve';
import { refcocoTask } from './refcoco';
import { retrievalTask } from './retrieval';
import { nlvr2Task } from './nlvr2';
import { pretrainTask } from './pretrain';

export type TaskRegistry = { [K in TaskKind]: TaskDefinition<K> };

/** A registry whose answer heads have the given sizes (tests and imported datasets use their own). */
export function createTaskRegistry(numAnswers: { VQA: number; GQA: number }): TaskRegistry {
  return {
    VQA: createVqaTask(numAnswers.VQA),
    GQA: createGqaTask(numAnswers.GQA),
    VCR: vcrTask,
    SNLI_VE: snliVeTask,
    REFCOCO: refcocoTask,
    RETRIEVAL: retrievalTask,
    NLVR2: nlvr2Task,
    PRETRAIN: pretrainTask,
  };
}

/** The built-in benchmark's tasks. */
export const taskRegistry: TaskRegistry = createTaskRegistry({
  VQA: dataSources.VQA.numAnswers,
  GQA: dataSources.GQA.numAnswers,
});

export function getTask<K extends TaskKind>(kind: K): TaskDefinition<K> {
  const task = taskRegistry[kind];
  if (!task) throw new Error(`unknown task kind "${String(kind)}"`);
  return task;
}
