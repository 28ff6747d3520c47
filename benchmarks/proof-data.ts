/**
 * The entries the proof benchmarks load (12-byte keys, 32-byte values, by
 * index) and the pseudo-random sequence they pick keys with, so that runs
 * measure the same keys.
 */

/** The key of entry `i`. */
export const key = (i: number): string => `key-${String(i).padStart(8, '0')}`
/** The value of entry `i`. */
export const value = (i: number): string => `value-${String(i).padStart(26, '0')}`

let state = 0x2545f491

/** The next number of a deterministic xorshift sequence, below `n`. */
export function random (n: number): number {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}
