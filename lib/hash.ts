/**
 * SHA-256 with domain-separation tags, the only hash of the Merkle tree
 * (docs/MERKLE.md). In Node the cost of a hash is mostly per call, not per
 * byte, and most of that is allocation: a digest returned as a Buffer needs a
 * fresh ArrayBuffer with memory outside the heap, which costs about three
 * times the hashing itself. So preimages are assembled in one scratch buffer
 * and the digest comes back as a 32-character 'binary' (latin1) string (an ordinary heap
 * object), copied straight into the array the caller keeps.
 */
import { createHash, hash as oneShotHash } from 'node:crypto'

/** Tags of the hashed object types; each object type has its own. */
export const Tag = Object.freeze({
  node: 0x01,
  value: 0x02,
  priority: 0x03,
  root: 0x04
})

/**
 * SHA-256 of `bytes` as a new plain Uint8Array of its own (not a Buffer, whose
 * slice() would share it): for the formulas of lib/tree/digests.ts, on Node.
 */
export function sha256 (bytes: Uint8Array): Uint8Array {
  return toBytes(oneShotHash('sha256', bytes, 'binary'))
}

/** Length of every digest. */
export const DIGEST_LENGTH = 32

const SCRATCH_SIZE = 64 * 1024
const scratch = Buffer.allocUnsafe(SCRATCH_SIZE)

// Views of the scratch buffer's first n bytes, made once: a view per call was measurable garbage.
const VIEWS_CACHED = 512
const views: Buffer[] = []
for (let n = 0; n <= VIEWS_CACHED; n++) views.push(scratch.subarray(0, n))

// The digest of the first `length` scratch bytes, as latin1 (one character per byte).
function digestOfScratch (length: number): string {
  const preimage = length <= VIEWS_CACHED ? views[length] : scratch.subarray(0, length)
  return oneShotHash('sha256', preimage, 'binary')
}

// The digest of parts too large for the scratch buffer.
function digestOfParts (parts: Uint8Array[]): string {
  const h = createHash('sha256')
  for (const part of parts) h.update(part)
  return h.digest('binary')
}

function copyInto (digest: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < DIGEST_LENGTH; i++) out[offset + i] = digest.charCodeAt(i)
}

function toBytes (digest: string): Uint8Array {
  const out = new Uint8Array(DIGEST_LENGTH)
  copyInto(digest, out, 0)
  return out
}

function taggedDigest (tag: number, bytes: Uint8Array): string {
  if (bytes.length + 1 > SCRATCH_SIZE) return digestOfParts([Uint8Array.of(tag), bytes])
  scratch[0] = tag
  scratch.set(bytes, 1)
  return digestOfScratch(bytes.length + 1)
}

function taggedDigest2 (tag: number, prefix: Uint8Array, bytes: Uint8Array): string {
  const n = 1 + prefix.length + bytes.length
  if (n > SCRATCH_SIZE) return digestOfParts([Uint8Array.of(tag), prefix, bytes])
  scratch[0] = tag
  scratch.set(prefix, 1)
  scratch.set(bytes, 1 + prefix.length)
  return digestOfScratch(n)
}

/** SHA-256(tag ‖ bytes). */
export function taggedHash (tag: number, bytes: Uint8Array): Uint8Array {
  return toBytes(taggedDigest(tag, bytes))
}

/** SHA-256(tag ‖ bytes), written to `out` at `offset`. */
export function taggedHashInto (tag: number, bytes: Uint8Array, out: Uint8Array, offset: number): void {
  copyInto(taggedDigest(tag, bytes), out, offset)
}

/** SHA-256(tag ‖ prefix ‖ bytes), for a fixed-length or length-framed prefix. */
export function taggedHash2 (tag: number, prefix: Uint8Array, bytes: Uint8Array): Uint8Array {
  return toBytes(taggedDigest2(tag, prefix, bytes))
}

/**
 * The leading 30 bits of SHA-256(tag ‖ prefix ‖ bytes) as a non-negative
 * integer, without materialising the digest (the treap's priorities).
 */
export function taggedHash2Prefix30 (tag: number, prefix: Uint8Array, bytes: Uint8Array): number {
  const d = taggedDigest2(tag, prefix, bytes)
  return (d.charCodeAt(0) << 22) | (d.charCodeAt(1) << 14) | (d.charCodeAt(2) << 6) | (d.charCodeAt(3) >>> 2)
}

function nodeDigest (left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): string {
  scratch.set(left, 1)
  scratch.set(right, 33)
  scratch.set(valueHash, 65)
  return nodeDigestOfPreimage(key)
}

/**
 * The hash of a tree node: SHA-256(0x01 ‖ left ‖ right ‖ valueHash ‖ u32be(len key) ‖ key).
 * `left`, `right` and `valueHash` are 32 bytes each (zeros for an empty child).
 */
export function nodeHash (left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): Uint8Array {
  return toBytes(nodeDigest(left, right, valueHash, key))
}

/**
 * The buffer a node hash's preimage is assembled in, for callers that hold
 * the hashes in another form than arrays (lib/tree/digest.ts): write the left
 * child's node hash at byte 1, the right child's at 33 and the value hash at
 * 65, then call {@link nodeDigestOfPreimage}. No other hash may run between.
 */
export const nodePreimage: Uint8Array = scratch

/**
 * Completes the preimage in {@link nodePreimage} with the tag, the key's length
 * and the key, and returns its digest as a 32-character latin1 string: the
 * same bytes as {@link nodeHash}.
 */
export function nodeDigestOfPreimage (key: Uint8Array): string {
  const k = key.length
  const n = 1 + 96 + 4 + k
  if (n > SCRATCH_SIZE) {
    const len = Uint8Array.of(k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff)
    return digestOfParts([Uint8Array.of(Tag.node), scratch.subarray(1, 97), len, key])
  }
  scratch[0] = Tag.node
  scratch[97] = k >>> 24
  scratch[98] = (k >>> 16) & 0xff
  scratch[99] = (k >>> 8) & 0xff
  scratch[100] = k & 0xff
  scratch.set(key, 101)
  return digestOfScratch(n)
}

/** Like {@link nodeDigestOfPreimage}, written to `out` at `offset`. */
export function nodeHashOfPreimageInto (key: Uint8Array, out: Uint8Array, offset: number): void {
  copyInto(nodeDigestOfPreimage(key), out, offset)
}

/** SHA-256(0x02 ‖ value) as a 32-character latin1 string. */
export function valueDigest (value: Uint8Array): string {
  return taggedDigest(Tag.value, value)
}
