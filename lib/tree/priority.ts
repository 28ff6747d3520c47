/**
 * Priorities of the treap. A key's priority is SHA-256(0x03 ‖ salt ‖ key) read
 * as a 256-bit big-endian integer; the tree is a max-heap on it. Nodes keep
 * only the leading 48 bits as a number (exact in a double); on the rare tie
 * of those bits the full digests decide, and only equal keys tie fully.
 */
import { compareBytes } from '../bytes'
import { Tag, taggedHash2, taggedHash2Prefix48 } from '../hash'
import type { TreeParams } from './params'

/** The full 32-byte priority digest of a key. */
export function priorityDigest (key: Uint8Array, params: TreeParams): Uint8Array {
  return taggedHash2(Tag.priority, params.salt, key)
}

/** The leading 48 bits of a priority digest, as a non-negative integer. */
export function priorityPrefix (digest: Uint8Array): number {
  return ((digest[0] * 256 + digest[1]) * 256 + digest[2]) * 0x1000000 +
    ((digest[3] << 16) | (digest[4] << 8) | digest[5])
}

/** The priority prefix of a key. */
export function priorityOf (key: Uint8Array, params: TreeParams): number {
  return taggedHash2Prefix48(Tag.priority, params.salt, key)
}

/**
 * True when (aKey, aPrio) must sit above (bKey, bPrio) in the heap. Compares the
 * 48-bit prefixes, then the full digests; equal digests (equal keys) are not higher.
 */
export function isHigher (aKey: Uint8Array, aPrio: number, bKey: Uint8Array, bPrio: number, params: TreeParams): boolean {
  if (aPrio !== bPrio) return aPrio > bPrio
  return compareBytes(priorityDigest(aKey, params), priorityDigest(bKey, params)) > 0
}
