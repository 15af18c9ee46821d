import { keptCount, maskProblems, maskSha256 } from '../../src/ticket/ticket.mask';

describe('stored mask checks', () => {
  // 10 weights, LSB-first: weights 0..3 pruned, 4..9 kept → byte0 = 0b11110000, byte1 = 0b00000011.
  const packed = Uint8Array.from([0xf0, 0x03]);

  test('accepts a mask that fits its model', () => {
    expect(maskProblems(packed, 10, maskSha256(packed), 10)).toEqual([]);
    expect(keptCount(packed, 10)).toBe(6);
  });

  test('rejects wrong length, dirty padding, wrong hash, wrong model', () => {
    expect(maskProblems(packed, 10, maskSha256(packed), 11)).toEqual([
      'mask has 10 bits, the model has 11 prunable weights',
    ]);
    expect(maskProblems(packed, 17, maskSha256(packed), 17)).toContain('mask has 2 bytes, 17 bits need 3');
    const dirty = Uint8Array.from([0xf0, 0x07]);
    expect(maskProblems(dirty, 10, maskSha256(dirty), 10)).toEqual(['padding bits of the last mask byte are not 0']);
    expect(maskProblems(packed, 10, '0'.repeat(64), 10)).toEqual(['mask sha256 does not match its bytes']);
  });
});
