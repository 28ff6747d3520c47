/**
 * SHA-256 with domain-separation tags, the only hash of the Merkle tree
 * (docs/MERKLE.md). In Node the cost of a hash is mostly per call, not per
 * byte, so small preimages are assembled in one scratch buffer and hashed
 * with a single `crypto.hash` call.
 */
import { createHash, hash as oneShotHash } from 'node:crypto'

/** Tags of the hashed object types; each object type has its own. */
export const Tag = Object.freeze({
  node: 0x01,
  value: 0x02,
  priority: 0x03,
  root: 0x04
})

/** Length of every digest. */
export const DIGEST_LENGTH = 32

const SCRATCH_SIZE = 64 * 1024
const scratch = Buffer.allocUnsafe(SCRATCH_SIZE)

/** Counts of hash calls, for tests and benchmarks to see the work done. */
export const hashCounter = { calls: 0 }

function digestOf (preimage: Buffer): Buffer {
  hashCounter.calls++
  return oneShotHash('sha256', preimage, 'buffer') as unknown as Buffer
}

/** SHA-256(tag ‖ bytes). */
export function taggedHash (tag: number, bytes: Uint8Array): Buffer {
  if (bytes.length + 1 <= SCRATCH_SIZE) {
    scratch[0] = tag
    scratch.set(bytes, 1)
    return digestOf(scratch.subarray(0, bytes.length + 1))
  }
  hashCounter.calls++
  return createHash('sha256').update(Uint8Array.of(tag)).update(bytes).digest()
}

/** SHA-256(tag ‖ prefix ‖ bytes), for a fixed-length or length-framed prefix. */
export function taggedHash2 (tag: number, prefix: Uint8Array, bytes: Uint8Array): Buffer {
  const n = 1 + prefix.length + bytes.length
  if (n <= SCRATCH_SIZE) {
    scratch[0] = tag
    scratch.set(prefix, 1)
    scratch.set(bytes, 1 + prefix.length)
    return digestOf(scratch.subarray(0, n))
  }
  hashCounter.calls++
  return createHash('sha256').update(Uint8Array.of(tag)).update(prefix).update(bytes).digest()
}

/**
 * The hash of a tree node: SHA-256(0x01 ‖ left ‖ right ‖ valueHash ‖ u32be(len key) ‖ key).
 * `left`, `right` and `valueHash` are 32 bytes each (zeros for an empty child).
 */
export function nodeHash (left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): Buffer {
  const n = 1 + 96 + 4 + key.length
  if (n <= SCRATCH_SIZE) {
    scratch[0] = Tag.node
    scratch.set(left, 1)
    scratch.set(right, 33)
    scratch.set(valueHash, 65)
    scratch.writeUInt32BE(key.length, 97)
    scratch.set(key, 101)
    return digestOf(scratch.subarray(0, n))
  }
  hashCounter.calls++
  const len = Buffer.allocUnsafe(4)
  len.writeUInt32BE(key.length, 0)
  return createHash('sha256').update(Uint8Array.of(Tag.node)).update(left).update(right)
    .update(valueHash).update(len).update(key).digest()
}
