import { existsSync } from 'fs';
import * as path from 'path';
import { initBackend } from '../../../src/core/backend';
import { builtinModelDir, loadBuiltinModel } from '../../../src/core/model/builtin';
import { encoderFromWeights, parameterCount } from '../../../src/core/model/uniter';
import { VOCAB_SIZE } from '../../../src/core/data';
import { statSync } from 'fs';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('shipped model', () => {
  test('assets/models/mini-uniter loads, fits its config and the data vocabulary, ≤ 10 MB', () => {
    const dir = builtinModelDir();
    expect(existsSync(path.join(dir, 'model.safetensors'))).toBe(true);
    expect(statSync(path.join(dir, 'model.safetensors')).size).toBeLessThanOrEqual(10 * 1024 * 1024);
    const m = loadBuiltinModel(dir);
    expect(m.config.vocabSize).toBe(VOCAB_SIZE);
    let n = 0;
    for (const w of m.weights.values()) n += w.length;
    expect(n).toBe(parameterCount(m.config));
    expect(m.pretrainHead.size).toBeGreaterThan(0);
    expect(typeof m.meta.seed).toBe('number');
    encoderFromWeights(m.config, m.weights).dispose();
  });
});
