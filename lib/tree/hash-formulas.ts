/**
 * The hash formulas of the Merkle construction, defined once (docs/MERKLE.md,
 * "Construction"):
 *
 *     valueHash = SHA-256(0x02 ‖ value)
 *     priority  = SHA-256(0x03 ‖ salt ‖ key)
 *     nodeHash  = SHA-256(0x01 ‖ left ‖ right ‖ valueHash ‖ u32be(len key) ‖ key)
 *     root      = SHA-256(0x04 ‖ "merkle-level/v1" ‖ u8 len salt ‖ salt ‖ u64be count ‖ top)
 *
 * Each preimage is a header this module writes followed by the key or the
 * value, so that the database's node:crypto path (node-crypto-hashes.ts) can
 * assemble it in a buffer it reuses, or stream a large key or value after the
 * header, while the `…With` forms here run with any injected SHA-256 (the
 * standalone verifier's is pure JavaScript). Pure: no node:crypto, no Buffer.
 */

import { writeU32BE, writeU64BE } from '../bytes'

/** A SHA-256 function: the 32-byte digest of `bytes`. */
export type Sha256 = (bytes: Uint8Array) => Uint8Array

/** Length of every digest. */
export const DIGEST_LENGTH = 32

/** The hash of an empty subtree: 32 zero bytes. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(DIGEST_LENGTH)

const TAG_NODE = 0x01
const TAG_VALUE = 0x02
const TAG_PRIORITY = 0x03
const TAG_ROOT = 0x04
const ROOT_DOMAIN = Uint8Array.of(0x6d, 0x65, 0x72, 0x6b, 0x6c, 0x65, 0x2d, 0x6c, 0x65, 0x76, 0x65, 0x6c, 0x2f, 0x76, 0x31) // "merkle-level/v1"

/** Where a node preimage holds its left child's hash; the right child's follows, then the value hash. */
export const NODE_LEFT_AT = 1
/** Where a node preimage holds its right child's hash. */
export const NODE_RIGHT_AT = NODE_LEFT_AT + DIGEST_LENGTH
/** Where a node preimage holds the node's value hash. */
export const NODE_VALUE_HASH_AT = NODE_RIGHT_AT + DIGEST_LENGTH
/** Length of a node preimage's header: tag, three digests, u32be key length; the key follows. */
export const NODE_HEADER_LENGTH = NODE_VALUE_HASH_AT + DIGEST_LENGTH + 4

/** Writes the value hash preimage's header to `out` at 0; returns its length (the value follows). */
export function writeValueHeader (out: Uint8Array): number {
  out[0] = TAG_VALUE
  return 1
}

/** Writes the priority preimage's header (tag and salt) to `out` at 0; returns its length (the key follows). */
export function writePriorityHeader (out: Uint8Array, salt: Uint8Array): number {
  out[0] = TAG_PRIORITY
  out.set(salt, 1)
  return 1 + salt.length
}

/**
 * Writes the tag and the key length of a node preimage to `out`; the caller
 * writes the three digests at NODE_LEFT_AT, NODE_RIGHT_AT and
 * NODE_VALUE_HASH_AT (before or after). Returns NODE_HEADER_LENGTH (the key follows).
 */
export function writeNodeHeaderFrame (out: Uint8Array, keyLength: number): number {
  out[0] = TAG_NODE
  writeU32BE(out, NODE_VALUE_HASH_AT + DIGEST_LENGTH, keyLength)
  return NODE_HEADER_LENGTH
}

/** Length of the root preimage for a salt of `saltLength` bytes. */
export function rootPreimageLength (saltLength: number): number {
  return 1 + ROOT_DOMAIN.length + 1 + saltLength + 8 + DIGEST_LENGTH
}

/** Writes the whole root preimage to `out` at 0; returns its length. */
export function writeRootPreimage (out: Uint8Array, salt: Uint8Array, count: number, top: Uint8Array): number {
  let at = 0
  out[at++] = TAG_ROOT
  out.set(ROOT_DOMAIN, at)
  at += ROOT_DOMAIN.length
  out[at++] = salt.length
  out.set(salt, at)
  at += salt.length
  writeU64BE(out, at, count)
  out.set(top, at + 8)
  return at + 8 + DIGEST_LENGTH
}

/** The hash of an entry's value. */
export function valueHashWith (sha256: Sha256, value: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + value.length)
  pre.set(value, writeValueHeader(pre))
  return sha256(pre)
}

/** A key's full 32-byte priority; compared as a big-endian integer, the higher one sits above. */
export function priorityWith (sha256: Sha256, salt: Uint8Array, key: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + salt.length + key.length)
  pre.set(key, writePriorityHeader(pre, salt))
  return sha256(pre)
}

/** The hash of a node from its children's hashes, its value hash and its key. */
export function nodeHashWith (sha256: Sha256, left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): Uint8Array {
  const pre = new Uint8Array(NODE_HEADER_LENGTH + key.length)
  pre.set(left, NODE_LEFT_AT)
  pre.set(right, NODE_RIGHT_AT)
  pre.set(valueHash, NODE_VALUE_HASH_AT)
  pre.set(key, writeNodeHeaderFrame(pre, key.length))
  return sha256(pre)
}

/**
 * The per-node hashes a verifier computes, all from SHA-256 by the formulas
 * above; a platform with a faster way to the same digests (node:crypto with
 * preimages assembled in place) gives its own.
 */
export interface Hashing {
  sha256: Sha256
  valueHash: (value: Uint8Array) => Uint8Array
  priority: (salt: Uint8Array, key: Uint8Array) => Uint8Array
  nodeHash: (left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array) => Uint8Array
}

/** The formulas above on `sha256`, or `hashing` as given. */
export function hashingOf (hashing: Sha256 | Hashing): Hashing {
  if (typeof hashing !== 'function') return hashing
  return {
    sha256: hashing,
    valueHash: value => valueHashWith(hashing, value),
    priority: (salt, key) => priorityWith(hashing, salt, key),
    nodeHash: (left, right, valueHash, key) => nodeHashWith(hashing, left, right, valueHash, key)
  }
}

/** The published root from the top node's hash (EMPTY_HASH for no entries), the entry count and the salt. */
export function rootWith (sha256: Sha256, salt: Uint8Array, count: number, top: Uint8Array): Uint8Array {
  const pre = new Uint8Array(rootPreimageLength(salt.length))
  writeRootPreimage(pre, salt, count, top)
  return sha256(pre)
}
