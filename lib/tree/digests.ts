/**
 * The Merkle construction as pure functions of an injected SHA-256, so that
 * the standalone verifier can run them with a browser-safe hash while the
 * database keeps its faster node:crypto path (lib/hash.ts). Both must give
 * identical digests; a test checks it. docs/MERKLE.md, "Construction".
 *
 *     valueHash = SHA-256(0x02 ‖ value)
 *     priority  = SHA-256(0x03 ‖ salt ‖ key)
 *     nodeHash  = SHA-256(0x01 ‖ left ‖ right ‖ valueHash ‖ u32be(len key) ‖ key)
 *     root      = SHA-256(0x04 ‖ "merkle-level/v1" ‖ u8 len salt ‖ salt ‖ u64be count ‖ top)
 */

import { writeU32BE, writeU64BE } from '../bytes'

/** A SHA-256 function: the 32-byte digest of `bytes`. */
export type Sha256 = (bytes: Uint8Array) => Uint8Array

/** The hash of an empty subtree: 32 zero bytes. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(32)

const TAG_NODE = 0x01
const TAG_VALUE = 0x02
const TAG_PRIORITY = 0x03
const TAG_ROOT = 0x04
const ROOT_DOMAIN = Uint8Array.of(0x6d, 0x65, 0x72, 0x6b, 0x6c, 0x65, 0x2d, 0x6c, 0x65, 0x76, 0x65, 0x6c, 0x2f, 0x76, 0x31) // "merkle-level/v1"

/** The hash of an entry's value. */
export function valueHashWith (sha256: Sha256, value: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + value.length)
  pre[0] = TAG_VALUE
  pre.set(value, 1)
  return sha256(pre)
}

/** A key's full 32-byte priority; compared as a big-endian integer, the higher one sits above. */
export function priorityWith (sha256: Sha256, salt: Uint8Array, key: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + salt.length + key.length)
  pre[0] = TAG_PRIORITY
  pre.set(salt, 1)
  pre.set(key, 1 + salt.length)
  return sha256(pre)
}

/** The hash of a node from its children's hashes, its value hash and its key. */
export function nodeHashWith (sha256: Sha256, left: Uint8Array, right: Uint8Array, valueHash: Uint8Array, key: Uint8Array): Uint8Array {
  const pre = new Uint8Array(101 + key.length)
  pre[0] = TAG_NODE
  pre.set(left, 1)
  pre.set(right, 33)
  pre.set(valueHash, 65)
  writeU32BE(pre, 97, key.length)
  pre.set(key, 101)
  return sha256(pre)
}

/** The published root from the top node's hash (EMPTY_HASH for no entries), the entry count and the salt. */
export function rootWith (sha256: Sha256, salt: Uint8Array, count: number, top: Uint8Array): Uint8Array {
  const pre = new Uint8Array(1 + ROOT_DOMAIN.length + 1 + salt.length + 8 + 32)
  let at = 0
  pre[at++] = TAG_ROOT
  pre.set(ROOT_DOMAIN, at)
  at += ROOT_DOMAIN.length
  pre[at++] = salt.length
  pre.set(salt, at)
  at += salt.length
  writeU64BE(pre, at, count)
  pre.set(top, at + 8)
  return sha256(pre)
}
