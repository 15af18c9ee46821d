/**
 * Whether an error means "the database is not reachable right now" (restart, failover, network)
 * rather than "this request or this computation is wrong". Work interrupted by the former is
 * resumed later, never marked FAILED.
 */
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NET_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception); 57P01..57P03 admin/crash shutdown, cannot connect now.
    if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03') return true;
  }
  return /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    e.message,
  );
}
