import { initBackend } from '../../../src/core/backend';
import { trainingSuite } from './learns';

beforeAll(async () => {
  const info = await initBackend('cpu');
  expect(info.backend).toBe('cpu');
});

describe('training on the cpu backend', trainingSuite);
