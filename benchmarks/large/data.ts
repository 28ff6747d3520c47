/**
 * The entries of the large database, a pure function of their index and a
 * seed: 16-byte keys and 100-byte values that every store receives
 * identically, made batch by batch (5e7 entries do not fit in memory at
 * once), and any key re-made on demand for a random get.
 */
import { KEY_BYTES, VALUE_BYTES } from '../data'

/** Seed of every large run, so that all stores and processes see the same data. */
export const SEED = 0x5eed_1a9e

const KEY_WORDS = KEY_BYTES / 4
const VALUE_WORDS = VALUE_BYTES / 4
const ENTRY_WORDS = KEY_WORDS + VALUE_WORDS

/** A bijection of 32-bit integers with good avalanche (lowbias32): distinct inputs, distinct outputs. */
function hash32 (input: number): number {
  let x = input >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

// The key's first word is a bijection of the index, so keys of distinct indices (< 2^32) differ.
function fillKey (words: Uint32Array, at: number, index: number): void {
  const first = hash32(index ^ SEED)
  words[at] = first
  for (let w = 1; w < KEY_WORDS; w++) words[at + w] = hash32(first + Math.imul(w, 0x9e3779b9))
}

function fillValue (words: Uint32Array, at: number, index: number): void {
  const base = hash32(index + SEED + 0x632be5ab)
  for (let w = 0; w < VALUE_WORDS; w++) words[at + w] = hash32(base + Math.imul(w, 0x9e3779b9))
}

/** The key of entry `index`. */
export function keyAt (index: number): Uint8Array {
  const words = new Uint32Array(KEY_WORDS)
  fillKey(words, 0, index)
  return new Uint8Array(words.buffer)
}

/** A put operation, as `db.batch()` takes it. */
export interface PutOp {
  type: 'put'
  key: Uint8Array
  value: Uint8Array
}

/** The put operations of entries [from, to): views into one buffer made for the batch. */
export function batchOps (from: number, to: number): PutOp[] {
  const count = to - from
  const words = new Uint32Array(count * ENTRY_WORDS)
  const ops = new Array<PutOp>(count)
  for (let e = 0; e < count; e++) {
    const at = e * ENTRY_WORDS
    fillKey(words, at, from + e)
    fillValue(words, at + KEY_WORDS, from + e)
    ops[e] = {
      type: 'put',
      key: new Uint8Array(words.buffer, at * 4, KEY_BYTES),
      value: new Uint8Array(words.buffer, (at + KEY_WORDS) * 4, VALUE_BYTES)
    }
  }
  return ops
}
