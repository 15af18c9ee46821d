import { initBackend } from '../../../src/core/backend';
import { adversarialSuite } from './suite';

beforeAll(async () => {
  expect((await initBackend('cpu')).backend).toBe('cpu');
});

describe('adversarial training on the cpu backend', () => adversarialSuite(8));
