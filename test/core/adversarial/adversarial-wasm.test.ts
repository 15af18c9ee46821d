import { initBackend } from '../../../src/core/backend';
import { adversarialSuite } from './suite';

beforeAll(async () => {
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

describe('adversarial training on the wasm backend', () => adversarialSuite(40));
