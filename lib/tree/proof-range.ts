/**
 * The part of the key space a proof covers, and the one rule that decides
 * the shape of a proof, shared by the prover and the verifier so that both
 * agree on it byte for byte (docs/MERKLE.md, "Which nodes a proof keeps"):
 *
 *   a subtree whose key interval (from its ancestors) is disjoint from the
 *   cover is pruned to its hash; every other subtree is opened, and an
 *   opened node reveals its value exactly when its key lies in the cover.
 *
 * "Disjoint" is decided by comparing bounds only, never by reasoning about
 * which byte strings lie between two keys: it may call an interval that holds
 * no possible key "not disjoint", which only makes a proof open one more
 * (empty) child, and it never calls an interval that can hold a covered key
 * disjoint, which is what soundness needs.
 */
import { compareBytes } from '../bytes'
import type { ProofRange } from './proof'

/** One end of a cover. */
export interface Bound {
  readonly key: Uint8Array
  readonly inclusive: boolean
}

/** A contiguous part of the key space; `none` covers no key at all. */
export interface Cover {
  readonly none: boolean
  readonly lower?: Bound
  readonly upper?: Bound
}

/** The cover of a range query before any limit applies (gte wins over gt, lte over lt). */
export function rangeCover (range: ProofRange): Cover {
  const lower = range.gte !== undefined ? { key: range.gte, inclusive: true } : range.gt !== undefined ? { key: range.gt, inclusive: false } : undefined
  const upper = range.lte !== undefined ? { key: range.lte, inclusive: true } : range.lt !== undefined ? { key: range.lt, inclusive: false } : undefined
  return { none: false, lower, upper }
}

/** The cover of a single key. */
export function keyCover (key: Uint8Array): Cover {
  return { none: false, lower: { key, inclusive: true }, upper: { key, inclusive: true } }
}

/**
 * The cover once a limit has cut the answer: with `taken` entries returned
 * (`first` and `last` in key order), a limit of 0 covers nothing, and a limit
 * that was reached covers only up to the last entry returned (down to the
 * first with `reverse`).
 */
export function limitedCover (cover: Cover, range: ProofRange, taken: number, first: Uint8Array | undefined, last: Uint8Array | undefined): Cover {
  const limit = range.limit
  if (limit === undefined || taken < limit) return cover
  if (limit === 0 || first === undefined || last === undefined) return { none: true }
  if (range.reverse) return { none: false, lower: { key: first, inclusive: true }, upper: cover.upper }
  return { none: false, lower: cover.lower, upper: { key: last, inclusive: true } }
}

/** True when `key` lies in the cover. */
export function covers (cover: Cover, key: Uint8Array): boolean {
  if (cover.none) return false
  if (cover.lower !== undefined) {
    const c = compareBytes(key, cover.lower.key)
    if (c < 0 || (c === 0 && !cover.lower.inclusive)) return false
  }
  if (cover.upper !== undefined) {
    const c = compareBytes(key, cover.upper.key)
    if (c > 0 || (c === 0 && !cover.upper.inclusive)) return false
  }
  return true
}

/**
 * True when no key strictly between `low` and `high` (null: unbounded) can
 * lie in the cover, judged from the bounds alone (see the file header).
 */
export function disjoint (cover: Cover, low: Uint8Array | null, high: Uint8Array | null): boolean {
  if (cover.none || isEmpty(cover)) return true
  // Every key of the interval is below `high`, and the cover starts at or above it.
  if (high !== null && cover.lower !== undefined && compareBytes(high, cover.lower.key) <= 0) return true
  // Every key of the interval is above `low`, and the cover ends at or below it.
  if (low !== null && cover.upper !== undefined && compareBytes(low, cover.upper.key) >= 0) return true
  return false
}

// A cover whose bounds cross (or meet without both being inclusive) holds no key.
function isEmpty (cover: Cover): boolean {
  if (cover.lower === undefined || cover.upper === undefined) return false
  const c = compareBytes(cover.lower.key, cover.upper.key)
  return c > 0 || (c === 0 && !(cover.lower.inclusive && cover.upper.inclusive))
}
