/**
 * A broken lottery-ticket invariant (wrong pruned count, masks not nested, a pruned weight that is
 * not exactly zero, survivors not rewound bit for bit). Thrown, never logged and ignored: a
 * researcher must be able to trust every mask and every evaluation the engine returns.
 */
export class TicketInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TicketInvariantError';
  }
}
