/**
 * The two digests a tree node caches — its node hash and its value hash —
 * held in the node as eleven small integers each: ten of three bytes and one
 * of two, big-endian, so that every one is a V8 small integer stored in the
 * object itself (a 32-bit word would not fit one). Bytes go in and out only
 * here. Unrolled: these run once or twice for every node hashed.
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

/** The node hash as a new array (32 zero bytes for an empty subtree); the node must be clean. */
export function nodeHashBytes (node: TreeNode | null): Uint8Array {
  const out = new Uint8Array(32)
  writeNodeHash(node, out, 0)
  return out
}

/** The value hash as a new array; it must be computed. */
export function valueHashBytes (node: TreeNode): Uint8Array {
  const out = new Uint8Array(32)
  writeValueHash(node, out, 0)
  return out
}
