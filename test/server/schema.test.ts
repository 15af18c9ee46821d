import * as fs from 'fs';
import * as path from 'path';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
} from 'graphql';
import { schemaSDL } from '../../src/app/schema';
import { REPO_ROOT } from '../helpers/server';

const SCHEMA_FILE = path.join(REPO_ROOT, 'schema', 'schema.graphql');

describe('schema/schema.graphql', () => {
  let sdl: string;
  beforeAll(async () => {
    sdl = await schemaSDL();
  });

  test('the committed file is what the code emits (run `npm run schema` after changing the API)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(sdl);
  });

  test('every type, field, argument and enum value has a description', () => {
    const schema = buildSchema(sdl);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const f of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown> | GraphQLInputField>) {
          if (!f.description) missing.push(`${type.name}.${f.name}`);
          for (const a of 'args' in f ? f.args : [])
            if (!a.description) missing.push(`${type.name}.${f.name}(${a.name})`);
        }
      }
      if (isEnumType(type))
        for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });

  test('keeps the names clients rely on (DESIGN §7)', () => {
    const schema = buildSchema(sdl);
    const q = schema.getQueryType()!.getFields();
    for (const name of [
      'health',
      'compute',
      'models',
      'model',
      'tasks',
      'task',
      'tickets',
      'ticket',
      'evaluations',
      'runs',
      'run',
    ]) {
      expect(q[name]).toBeDefined();
    }
    expect(
      schema
        .getSubscriptionType()!
        .getFields()
        .runEvents.args.map((a) => a.name),
    ).toEqual(['runId']);
    const values = (n: string) =>
      (schema.getType(n) as import('graphql').GraphQLEnumType)
        .getValues()
        .map((v) => v.name)
        .sort();
    expect(values('TaskKind')).toEqual(['GQA', 'NLVR2', 'PRETRAIN', 'REFCOCO', 'RETRIEVAL', 'SNLI_VE', 'VCR', 'VQA']);
    expect(values('PruningMethod')).toEqual(['EARLY_BIRD', 'IMP', 'ONE_SHOT', 'RANDOM']);
    expect(values('WeightInit')).toEqual(['PRETRAINED', 'RANDOM', 'SHUFFLED']);
    expect(values('TrainingMode')).toEqual(['ADVERSARIAL', 'STANDARD']);
    expect(values('RunKind')).toEqual(['EVALUATE', 'INSTABILITY', 'PRETRAIN', 'PRUNE', 'TRANSFER']);
    expect(values('RunStatus')).toEqual(['CANCELLED', 'FAILED', 'QUEUED', 'RUNNING', 'SUCCEEDED']);
    const runEvent = (schema.getType('RunEvent') as import('graphql').GraphQLObjectType).getFields();
    expect(Object.keys(runEvent).sort()).toEqual([
      'at',
      'message',
      'metrics',
      'phase',
      'progress',
      'runId',
      'status',
      'step',
      'totalSteps',
    ]);
  });
});
