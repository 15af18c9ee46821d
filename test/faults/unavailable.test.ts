/** Which errors count as "database unavailable" (resume later) rather than a failed run. */
import { isDatabaseUnavailable } from '../../src/kit/unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('connection losses and shutdowns are transient; query and compute errors are not', () => {
  expect(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
  expect(isDatabaseUnavailable(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
  expect(isDatabaseUnavailable(withCode('the database system is shutting down', '57P03'))).toBe(true);
  expect(isDatabaseUnavailable(withCode('connection failure', '08006'))).toBe(true);
  expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isDatabaseUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
  expect(isDatabaseUnavailable(withCode('relation "nope" does not exist', '42P01'))).toBe(false);
  expect(isDatabaseUnavailable(new Error('weights do not fit the model config'))).toBe(false);
  expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
});
