/**
 * Priorities of the treap. A key's priority is SHA-256(0x03 ‖ salt ‖ key) read
 * as a 256-bit big-endian integer; the tree is a max-heap on it. Nodes keep
 * only the leading 30 bits, a small integer that V8 stores inside the node
 * object (a double would be a separate heap object: one more cache miss per
 * level of a descent); on the rare tie of those bits (about one comparison in
 * 10^9) the full digests decide, and only equal keys tie fully.
 */
import { compareBytes } from '../bytes'
import { priorityHash, priorityPrefix30 } from './node-crypto-hashes'
import type { TreeParams } from './params'

/** The full 32-byte priority digest of a key. */
export function priorityDigest (key: Uint8Array, params: TreeParams): Uint8Array {
  return priorityHash(params.salt, key)
}

/** The priority prefix of a key. */
export function priorityOf (key: Uint8Array, params: TreeParams): number {
  return priorityPrefix30(params.salt, key)
}

/** The priority prefix of a full 32-byte priority digest. */
export function prefixOfDigest (d: Uint8Array): number {
  return (d[0] << 22) | (d[1] << 14) | (d[2] << 6) | (d[3] >>> 2)
}

/**
 * True when (aKey, aPrio) must sit above (bKey, bPrio) in the heap. Compares the
 * 30-bit prefixes, then the full digests; equal digests (equal keys) are not higher.
 */
export function isHigher (aKey: Uint8Array, aPrio: number, bKey: Uint8Array, bPrio: number, params: TreeParams): boolean {
  if (aPrio !== bPrio) return aPrio > bPrio
  return compareBytes(priorityDigest(aKey, params), priorityDigest(bKey, params)) > 0
}
