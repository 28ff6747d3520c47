/**
 * The database's hashes: the formulas of hash-formulas.ts computed with
 * node:crypto's SHA-256. In Node the cost of a hash is mostly per call, not
 * per byte, and most of that is allocation: a digest returned as a Buffer
 * needs a fresh ArrayBuffer with memory outside the heap. So preimages are
 * assembled in one scratch buffer (a key or value too large for it is
 * streamed after its header) and digests come back as 32-character 'binary'
 * (latin1) strings, ordinary heap objects, copied straight into the arrays
 * the callers keep. The standalone verifier never loads this file.
 */
import { createHash, hash as oneShotHash } from 'node:crypto'
import type { Hashing } from './hash-formulas'
import {
  DIGEST_LENGTH, NODE_LEFT_AT, NODE_RIGHT_AT, NODE_VALUE_HASH_AT,
  writeNodeHeaderFrame, writePriorityHeader, writeValueHeader
} from './hash-formulas'

/**
 * SHA-256 of `bytes` as a new plain Uint8Array of its own (not a Buffer, whose
 * slice() would share it): the `…With` formulas of hash-formulas.ts, on Node.
 */
export function sha256 (bytes: Uint8Array): Uint8Array {
  return toBytes(oneShotHash('sha256', bytes, 'binary'))
}

const SCRATCH_SIZE = 64 * 1024
const scratch = Buffer.allocUnsafe(SCRATCH_SIZE)

// Views of the scratch buffer's first n bytes, made once: a view per call was measurable garbage.
const VIEWS_CACHED = 512
const views: Buffer[] = []
for (let n = 0; n <= VIEWS_CACHED; n++) views.push(scratch.subarray(0, n))

// The digest of a header of `headerLength` bytes in the scratch buffer followed by `tail`, as
// latin1 (one character per byte).
function digestOfHeaderAnd (headerLength: number, tail: Uint8Array): string {
  const n = headerLength + tail.length
  if (n > SCRATCH_SIZE) return createHash('sha256').update(scratch.subarray(0, headerLength)).update(tail).digest('binary')
  scratch.set(tail, headerLength)
  return oneShotHash('sha256', n <= VIEWS_CACHED ? views[n] : scratch.subarray(0, n), 'binary')
}

function copyInto (digest: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < DIGEST_LENGTH; i++) out[offset + i] = digest.charCodeAt(i)
}

function toBytes (digest: string): Uint8Array {
  const out = new Uint8Array(DIGEST_LENGTH)
  copyInto(digest, out, 0)
  return out
}

/** The value hash of `value` as a 32-character latin1 string. */
export function valueDigest (value: Uint8Array): string {
  return digestOfHeaderAnd(writeValueHeader(scratch), value)
}

/** The value hash of `value`. */
export function valueHash (value: Uint8Array): Uint8Array {
  return toBytes(valueDigest(value))
}

/** The value hash of `value`, written to `out` at `offset`. */
export function valueHashInto (value: Uint8Array, out: Uint8Array, offset: number): void {
  copyInto(valueDigest(value), out, offset)
}

/** A key's full 32-byte priority under `salt`. */
export function priorityHash (salt: Uint8Array, key: Uint8Array): Uint8Array {
  return toBytes(digestOfHeaderAnd(writePriorityHeader(scratch, salt), key))
}

/**
 * The leading 30 bits of a key's priority as a non-negative integer, without
 * materialising the digest (the treap's node priorities).
 */
export function priorityPrefix30 (salt: Uint8Array, key: Uint8Array): number {
  const d = digestOfHeaderAnd(writePriorityHeader(scratch, salt), key)
  return (d.charCodeAt(0) << 22) | (d.charCodeAt(1) << 14) | (d.charCodeAt(2) << 6) | (d.charCodeAt(3) >>> 2)
}

/**
 * The buffer a node hash's preimage is assembled in, for callers that hold
 * the hashes in another form than arrays (cached-digests.ts): write the
 * three digests at NODE_LEFT_AT, NODE_RIGHT_AT and NODE_VALUE_HASH_AT
 * (hash-formulas.ts), then call {@link nodeDigestOfPreimage}. No other hash
 * may run between.
 */
export const nodePreimage: Uint8Array = scratch

/** Completes the node preimage in {@link nodePreimage} with `key` and returns its digest as latin1. */
export function nodeDigestOfPreimage (key: Uint8Array): string {
  return digestOfHeaderAnd(writeNodeHeaderFrame(scratch, key.length), key)
}

/** Like {@link nodeDigestOfPreimage}, written to `out` at `offset`. */
export function nodeHashOfPreimageInto (key: Uint8Array, out: Uint8Array, offset: number): void {
  copyInto(nodeDigestOfPreimage(key), out, offset)
}

/** The hash of a node (32 zero bytes stand for an empty child). */
export function nodeHash (left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): Uint8Array {
  scratch.set(left, NODE_LEFT_AT)
  scratch.set(right, NODE_RIGHT_AT)
  scratch.set(valueHash, NODE_VALUE_HASH_AT)
  return toBytes(nodeDigestOfPreimage(key))
}

/** The verifier's hashes on node:crypto: the same digests as the formulas, without a preimage allocated per hash. */
export const nodeCryptoHashing: Hashing = { sha256, valueHash, priority: priorityHash, nodeHash }
