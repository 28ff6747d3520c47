/**
 * A small seeded pseudo-random generator (a 32-bit xorshift-multiply
 * sequence), so that crash images and workloads can be replayed from a seed.
 */

/** A seeded source of numbers in [0, 1). */
export type Random = () => number

/** A generator seeded with `seed` (any integer). */
export function seededRandom (seed: number): Random {
  let state = (seed ^ 0x9e3779b9) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, n). */
export function randomInt (random: Random, n: number): number {
  return Math.floor(random() * n)
}

/** `n` pseudo-random bytes. */
export function randomBytesFrom (random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = randomInt(random, 256)
  return out
}
