/**
 * The digests a tree node caches, each held in the node as eleven small
 * integers (ten of three bytes and one of two, big-endian), so that each is a
 * V8 small integer stored in the object itself (a 32-bit word would not fit
 * one): its node hash (h), its value hash (v), and copies of its children's
 * node hashes (l, r). Hashing a node then reads the node alone: the child a
 * write did not change is not touched, and at 10^6 entries every node
 * touched is a cache miss of a few hundred nanoseconds. Bytes go in and out
 * only here. Unrolled: these run for every node hashed.
 */
import type { TreeNode } from './node'

/** Sets the node hash from a digest as a 32-character latin1 string (lib/hash.ts). */
export function storeNodeHash (node: TreeNode, d: string): void {
  node.h0 = (d.charCodeAt(0) << 16) | (d.charCodeAt(1) << 8) | d.charCodeAt(2)
  node.h1 = (d.charCodeAt(3) << 16) | (d.charCodeAt(4) << 8) | d.charCodeAt(5)
  node.h2 = (d.charCodeAt(6) << 16) | (d.charCodeAt(7) << 8) | d.charCodeAt(8)
  node.h3 = (d.charCodeAt(9) << 16) | (d.charCodeAt(10) << 8) | d.charCodeAt(11)
  node.h4 = (d.charCodeAt(12) << 16) | (d.charCodeAt(13) << 8) | d.charCodeAt(14)
  node.h5 = (d.charCodeAt(15) << 16) | (d.charCodeAt(16) << 8) | d.charCodeAt(17)
  node.h6 = (d.charCodeAt(18) << 16) | (d.charCodeAt(19) << 8) | d.charCodeAt(20)
  node.h7 = (d.charCodeAt(21) << 16) | (d.charCodeAt(22) << 8) | d.charCodeAt(23)
  node.h8 = (d.charCodeAt(24) << 16) | (d.charCodeAt(25) << 8) | d.charCodeAt(26)
  node.h9 = (d.charCodeAt(27) << 16) | (d.charCodeAt(28) << 8) | d.charCodeAt(29)
  node.h10 = (d.charCodeAt(30) << 8) | d.charCodeAt(31)
}

/** Sets the value hash from a digest as a 32-character latin1 string, and marks it computed. */
export function storeValueHash (node: TreeNode, d: string): void {
  node.v0 = (d.charCodeAt(0) << 16) | (d.charCodeAt(1) << 8) | d.charCodeAt(2)
  node.v1 = (d.charCodeAt(3) << 16) | (d.charCodeAt(4) << 8) | d.charCodeAt(5)
  node.v2 = (d.charCodeAt(6) << 16) | (d.charCodeAt(7) << 8) | d.charCodeAt(8)
  node.v3 = (d.charCodeAt(9) << 16) | (d.charCodeAt(10) << 8) | d.charCodeAt(11)
  node.v4 = (d.charCodeAt(12) << 16) | (d.charCodeAt(13) << 8) | d.charCodeAt(14)
  node.v5 = (d.charCodeAt(15) << 16) | (d.charCodeAt(16) << 8) | d.charCodeAt(17)
  node.v6 = (d.charCodeAt(18) << 16) | (d.charCodeAt(19) << 8) | d.charCodeAt(20)
  node.v7 = (d.charCodeAt(21) << 16) | (d.charCodeAt(22) << 8) | d.charCodeAt(23)
  node.v8 = (d.charCodeAt(24) << 16) | (d.charCodeAt(25) << 8) | d.charCodeAt(26)
  node.v9 = (d.charCodeAt(27) << 16) | (d.charCodeAt(28) << 8) | d.charCodeAt(29)
  node.v10 = (d.charCodeAt(30) << 8) | d.charCodeAt(31)
  node.valueHashed = true
}

/** Sets the value hash from 32 bytes of `b` at `o`, and marks it computed. */
export function storeValueHashBytes (node: TreeNode, b: Uint8Array, o: number): void {
  node.v0 = (b[o + 0] << 16) | (b[o + 1] << 8) | b[o + 2]
  node.v1 = (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]
  node.v2 = (b[o + 6] << 16) | (b[o + 7] << 8) | b[o + 8]
  node.v3 = (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]
  node.v4 = (b[o + 12] << 16) | (b[o + 13] << 8) | b[o + 14]
  node.v5 = (b[o + 15] << 16) | (b[o + 16] << 8) | b[o + 17]
  node.v6 = (b[o + 18] << 16) | (b[o + 19] << 8) | b[o + 20]
  node.v7 = (b[o + 21] << 16) | (b[o + 22] << 8) | b[o + 23]
  node.v8 = (b[o + 24] << 16) | (b[o + 25] << 8) | b[o + 26]
  node.v9 = (b[o + 27] << 16) | (b[o + 28] << 8) | b[o + 29]
  node.v10 = (b[o + 30] << 8) | b[o + 31]
  node.valueHashed = true
}

/** Gives `to` the value hash of `from` (same value). */
export function copyValueHash (from: TreeNode, to: TreeNode): void {
  to.v0 = from.v0
  to.v1 = from.v1
  to.v2 = from.v2
  to.v3 = from.v3
  to.v4 = from.v4
  to.v5 = from.v5
  to.v6 = from.v6
  to.v7 = from.v7
  to.v8 = from.v8
  to.v9 = from.v9
  to.v10 = from.v10
  to.valueHashed = true
}

/** Gives `to` the cached left child hash of `from` (same left child). */
export function copyLeftHash (from: TreeNode, to: TreeNode): void {
  to.l0 = from.l0
  to.l1 = from.l1
  to.l2 = from.l2
  to.l3 = from.l3
  to.l4 = from.l4
  to.l5 = from.l5
  to.l6 = from.l6
  to.l7 = from.l7
  to.l8 = from.l8
  to.l9 = from.l9
  to.l10 = from.l10
  to.leftKnown = true
}

/** Gives `to` the cached right child hash of `from` (same right child). */
export function copyRightHash (from: TreeNode, to: TreeNode): void {
  to.r0 = from.r0
  to.r1 = from.r1
  to.r2 = from.r2
  to.r3 = from.r3
  to.r4 = from.r4
  to.r5 = from.r5
  to.r6 = from.r6
  to.r7 = from.r7
  to.r8 = from.r8
  to.r9 = from.r9
  to.r10 = from.r10
  to.rightKnown = true
}

/** Caches the node hash of the left child, which must be clean (zeros when there is none). */
export function takeLeftHash (node: TreeNode): void {
  const child = node.left
  if (child === null) {
    node.l0 = 0
    node.l1 = 0
    node.l2 = 0
    node.l3 = 0
    node.l4 = 0
    node.l5 = 0
    node.l6 = 0
    node.l7 = 0
    node.l8 = 0
    node.l9 = 0
    node.l10 = 0
  } else {
    node.l0 = child.h0
    node.l1 = child.h1
    node.l2 = child.h2
    node.l3 = child.h3
    node.l4 = child.h4
    node.l5 = child.h5
    node.l6 = child.h6
    node.l7 = child.h7
    node.l8 = child.h8
    node.l9 = child.h9
    node.l10 = child.h10
  }
  node.leftKnown = true
}

/** Caches the node hash of the right child, which must be clean (zeros when there is none). */
export function takeRightHash (node: TreeNode): void {
  const child = node.right
  if (child === null) {
    node.r0 = 0
    node.r1 = 0
    node.r2 = 0
    node.r3 = 0
    node.r4 = 0
    node.r5 = 0
    node.r6 = 0
    node.r7 = 0
    node.r8 = 0
    node.r9 = 0
    node.r10 = 0
  } else {
    node.r0 = child.h0
    node.r1 = child.h1
    node.r2 = child.h2
    node.r3 = child.h3
    node.r4 = child.h4
    node.r5 = child.h5
    node.r6 = child.h6
    node.r7 = child.h7
    node.r8 = child.h8
    node.r9 = child.h9
    node.r10 = child.h10
  }
  node.rightKnown = true
}

/** Writes the node hash of `node` (32 zero bytes for an empty subtree) to `out` at `at`. */
export function writeNodeHash (node: TreeNode | null, out: Uint8Array, at: number): void {
  if (node === null) {
    out.fill(0, at, at + 32)
    return
  }
  let c: number
  c = node.h0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = node.h1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = node.h2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = node.h3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = node.h4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = node.h5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = node.h6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = node.h7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = node.h8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = node.h9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = node.h10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

/** Writes the value hash of `node` to `out` at `at`. */
export function writeValueHash (node: TreeNode, out: Uint8Array, at: number): void {
  let c: number
  c = node.v0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = node.v1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = node.v2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = node.v3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = node.v4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = node.v5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = node.v6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = node.v7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = node.v8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = node.v9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = node.v10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

/** Writes the cached left child hash of `node` to `out` at `at`. */
export function writeLeftHash (node: TreeNode, out: Uint8Array, at: number): void {
  let c: number
  c = node.l0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = node.l1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = node.l2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = node.l3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = node.l4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = node.l5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = node.l6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = node.l7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = node.l8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = node.l9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = node.l10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

/** Writes the cached right child hash of `node` to `out` at `at`. */
export function writeRightHash (node: TreeNode, out: Uint8Array, at: number): void {
  let c: number
  c = node.r0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = node.r1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = node.r2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = node.r3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = node.r4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = node.r5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = node.r6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = node.r7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = node.r8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = node.r9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = node.r10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

// A new 32-byte array filled by `write`.
function bytesOf (node: TreeNode, write: (node: TreeNode, out: Uint8Array, at: number) => void): Uint8Array {
  const out = new Uint8Array(32)
  write(node, out, 0)
  return out
}

/** The node hash as a new array (32 zero bytes for an empty subtree); the node must be clean. */
export function nodeHashBytes (node: TreeNode | null): Uint8Array {
  return node === null ? new Uint8Array(32) : bytesOf(node, writeNodeHash)
}

/** The value hash as a new array; it must be computed. */
export function valueHashBytes (node: TreeNode): Uint8Array {
  return bytesOf(node, writeValueHash)
}

/** The cached left and right child hashes as new arrays (for consistency checks). */
export function childHashBytes (node: TreeNode): [Uint8Array, Uint8Array] {
  return [bytesOf(node, writeLeftHash), bytesOf(node, writeRightHash)]
}
