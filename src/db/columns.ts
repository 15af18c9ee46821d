/** Column helpers shared by the entities. */
import type { ValueTransformer } from 'typeorm';

/**
 * pg returns int8 as a string (it can exceed 2^53). Counts stored here (parameters, mask bits)
 * stay far below 2^53, so they are read back as numbers.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

/**
 * Timestamps are stored as timestamptz(3): millisecond precision, exactly what a JS Date holds,
 * so a (createdAt, id) keyset cursor built from a Date compares equal to the stored value.
 */
export const TIMESTAMP = { type: 'timestamptz', precision: 3 } as const;
