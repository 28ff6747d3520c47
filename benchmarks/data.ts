/**
 * Test data: 16-byte random keys and 100-byte random values, produced in
 * bulk (one randomFill per chunk of entries) so that generating keys is not
 * what a workload measures. Entries are views into the bulk buffers.
 */
import { randomFillSync } from 'node:crypto'

/** Key length of every workload, in bytes. */
export const KEY_BYTES = 16
/** Value length of every workload, in bytes. */
export const VALUE_BYTES = 100

/** Entries as parallel arrays of views: keys[i] holds values[i]. */
export interface Entries {
  keys: Uint8Array[]
  values: Uint8Array[]
}

// randomFillSync fills at most 2^31 - 1 bytes at a time; stay well below.
const FILL_CHUNK = 64 * 1024 * 1024

function randomBuffer (bytes: number): Uint8Array {
  const buffer = new Uint8Array(bytes)
  for (let offset = 0; offset < bytes; offset += FILL_CHUNK) {
    randomFillSync(buffer, offset, Math.min(FILL_CHUNK, bytes - offset))
  }
  return buffer
}

function views (buffer: Uint8Array, size: number, count: number): Uint8Array[] {
  const result = new Array<Uint8Array>(count)
  for (let i = 0; i < count; i++) result[i] = buffer.subarray(i * size, (i + 1) * size)
  return result
}

/** `count` random entries. Random 16-byte keys collide with negligible probability. */
export function randomEntries (count: number): Entries {
  return {
    keys: views(randomBuffer(count * KEY_BYTES), KEY_BYTES, count),
    values: views(randomBuffer(count * VALUE_BYTES), VALUE_BYTES, count)
  }
}

/** The put operations of `entries[from, to)`, as `db.batch()` takes them. */
export function putOps (entries: Entries, from: number, to: number): Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> {
  const ops = new Array<{ type: 'put', key: Uint8Array, value: Uint8Array }>(to - from)
  for (let i = from; i < to; i++) ops[i - from] = { type: 'put', key: entries.keys[i], value: entries.values[i] }
  return ops
}

/**
 * `count` indices in [0, bound), uniformly random, from a fast seeded
 * generator (xorshift32): picking the next key must cost next to nothing.
 */
export function randomIndices (count: number, bound: number, seed = 0x9e3779b9): Uint32Array {
  const indices = new Uint32Array(count)
  let state = seed >>> 0 || 1
  for (let i = 0; i < count; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    indices[i] = state % bound
  }
  return indices
}
