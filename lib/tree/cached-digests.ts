/**
 * The digests a tree node caches, in an object of its own (`node.hashes`):
 * its node hash (h) and its value hash (v). A copy of a node shares its
 * original's object until it is hashed itself, so that copying a path
 * allocates no digests. Each digest is eleven small integers (ten of three
 * bytes and one of two, big-endian), so that each is a V8 small integer
 * stored in the object itself (a 32-bit word would not fit one where V8
 * compresses pointers). Children's hashes are read from the children's own
 * objects: copies of them in the parent made every node's object twice as
 * large, and the garbage collector copies each new one as it survives.
 *
 * The nodes a snapshot load makes have no object: their digests are read
 * from the arrays the load computed them into (a {@link HashSlab}, at the
 * node's `slot`), which a million objects made and filled one by one took
 * a third of the open's time. Nodes read from a tree image have none either:
 * their digests are slots of the arena their record was decoded into
 * (lib/image/image-file.ts). Loaded nodes are never changed in place, so
 * what the slab says of them stays true; a copy of one shares its value
 * hash from the slab until it is hashed itself.
 *
 * Bytes go in and out only here. Unrolled: these run for every node hashed.
 */
import type { TreeNode } from './node'

/** A node's cached digests: the node hash (h0..h10) and the value hash (v0..v10). */
export interface NodeHashes {
  h0: number
  h1: number
  h2: number
  h3: number
  h4: number
  h5: number
  h6: number
  h7: number
  h8: number
  h9: number
  h10: number
  v0: number
  v1: number
  v2: number
  v3: number
  v4: number
  v5: number
  v6: number
  v7: number
  v8: number
  v9: number
  v10: number
}

/**
 * The digests of the nodes one snapshot load made (build.ts), 32 bytes per
 * node in each array, at the node's `slot`.
 */
export interface HashSlab {
  readonly nodeHashes: Uint8Array
  readonly valueHashes: Uint8Array
}

/**
 * A digests object, all zeros. Made from an object literal, not a class: V8
 * tracks where literals are allocated and, once nearly all the objects made
 * at one place survive, allocates the next ones directly in the old
 * generation. Digests live as long as their nodes, so otherwise every one is
 * copied by the young generation's collections first; hashing a whole tree
 * (a checkpoint after a bulk load) filled it with them, and each collection
 * copied up to its whole size while writers waited.
 */
function newHashes (): NodeHashes {
  return {
    h0: 0,
    h1: 0,
    h2: 0,
    h3: 0,
    h4: 0,
    h5: 0,
    h6: 0,
    h7: 0,
    h8: 0,
    h9: 0,
    h10: 0,
    v0: 0,
    v1: 0,
    v2: 0,
    v3: 0,
    v4: 0,
    v5: 0,
    v6: 0,
    v7: 0,
    v8: 0,
    v9: 0,
    v10: 0
  }
}

/**
 * The node's own digests object, made now if it has none or shares its
 * original's or a slab's (the value hash carried over when the node has it).
 */
export function hashesOf (node: TreeNode): NodeHashes {
  const shared = node.hashes
  if (shared !== null && node.ownsHashes) return shared
  const x = newHashes()
  if (node.valueHashed) {
    if (shared !== null) copyValueFields(shared, x)
    else if (node.slab !== null) setValueFields(x, node.slab.valueHashes, node.slot * 32)
  }
  node.hashes = x
  node.ownsHashes = true
  return x
}

function copyValueFields (f: NodeHashes, x: NodeHashes): void {
  x.v0 = f.v0
  x.v1 = f.v1
  x.v2 = f.v2
  x.v3 = f.v3
  x.v4 = f.v4
  x.v5 = f.v5
  x.v6 = f.v6
  x.v7 = f.v7
  x.v8 = f.v8
  x.v9 = f.v9
  x.v10 = f.v10
}

/** Sets the node hash from a digest as a 32-character latin1 string (node-crypto-hashes.ts). */
export function storeNodeHash (x: NodeHashes, d: string): void {
  x.h0 = (d.charCodeAt(0) << 16) | (d.charCodeAt(1) << 8) | d.charCodeAt(2)
  x.h1 = (d.charCodeAt(3) << 16) | (d.charCodeAt(4) << 8) | d.charCodeAt(5)
  x.h2 = (d.charCodeAt(6) << 16) | (d.charCodeAt(7) << 8) | d.charCodeAt(8)
  x.h3 = (d.charCodeAt(9) << 16) | (d.charCodeAt(10) << 8) | d.charCodeAt(11)
  x.h4 = (d.charCodeAt(12) << 16) | (d.charCodeAt(13) << 8) | d.charCodeAt(14)
  x.h5 = (d.charCodeAt(15) << 16) | (d.charCodeAt(16) << 8) | d.charCodeAt(17)
  x.h6 = (d.charCodeAt(18) << 16) | (d.charCodeAt(19) << 8) | d.charCodeAt(20)
  x.h7 = (d.charCodeAt(21) << 16) | (d.charCodeAt(22) << 8) | d.charCodeAt(23)
  x.h8 = (d.charCodeAt(24) << 16) | (d.charCodeAt(25) << 8) | d.charCodeAt(26)
  x.h9 = (d.charCodeAt(27) << 16) | (d.charCodeAt(28) << 8) | d.charCodeAt(29)
  x.h10 = (d.charCodeAt(30) << 8) | d.charCodeAt(31)
}

/** Sets the value hash of `node` from a digest as a 32-character latin1 string, and marks it computed. */
export function storeValueHash (node: TreeNode, d: string): void {
  const x = hashesOf(node)
  x.v0 = (d.charCodeAt(0) << 16) | (d.charCodeAt(1) << 8) | d.charCodeAt(2)
  x.v1 = (d.charCodeAt(3) << 16) | (d.charCodeAt(4) << 8) | d.charCodeAt(5)
  x.v2 = (d.charCodeAt(6) << 16) | (d.charCodeAt(7) << 8) | d.charCodeAt(8)
  x.v3 = (d.charCodeAt(9) << 16) | (d.charCodeAt(10) << 8) | d.charCodeAt(11)
  x.v4 = (d.charCodeAt(12) << 16) | (d.charCodeAt(13) << 8) | d.charCodeAt(14)
  x.v5 = (d.charCodeAt(15) << 16) | (d.charCodeAt(16) << 8) | d.charCodeAt(17)
  x.v6 = (d.charCodeAt(18) << 16) | (d.charCodeAt(19) << 8) | d.charCodeAt(20)
  x.v7 = (d.charCodeAt(21) << 16) | (d.charCodeAt(22) << 8) | d.charCodeAt(23)
  x.v8 = (d.charCodeAt(24) << 16) | (d.charCodeAt(25) << 8) | d.charCodeAt(26)
  x.v9 = (d.charCodeAt(27) << 16) | (d.charCodeAt(28) << 8) | d.charCodeAt(29)
  x.v10 = (d.charCodeAt(30) << 8) | d.charCodeAt(31)
  node.valueHashed = true
}

// Sets the value hash fields of `x` from 32 bytes of `b` at `o`.
function setValueFields (x: NodeHashes, b: Uint8Array, o: number): void {
  x.v0 = (b[o + 0] << 16) | (b[o + 1] << 8) | b[o + 2]
  x.v1 = (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]
  x.v2 = (b[o + 6] << 16) | (b[o + 7] << 8) | b[o + 8]
  x.v3 = (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]
  x.v4 = (b[o + 12] << 16) | (b[o + 13] << 8) | b[o + 14]
  x.v5 = (b[o + 15] << 16) | (b[o + 16] << 8) | b[o + 17]
  x.v6 = (b[o + 18] << 16) | (b[o + 19] << 8) | b[o + 20]
  x.v7 = (b[o + 21] << 16) | (b[o + 22] << 8) | b[o + 23]
  x.v8 = (b[o + 24] << 16) | (b[o + 25] << 8) | b[o + 26]
  x.v9 = (b[o + 27] << 16) | (b[o + 28] << 8) | b[o + 29]
  x.v10 = (b[o + 30] << 8) | b[o + 31]
}

/**
 * Makes `node` a loaded node whose digests are the slab's at `slot`: both
 * hashes known, nothing to compute. Only for a node no version reaches yet.
 */
export function useSlab (node: TreeNode, slab: HashSlab, slot: number): void {
  node.slab = slab
  node.slot = slot
  node.valueHashed = true
  node.dirty = false
}

/** Copies the 32-byte digest at `from[at..]` to `out[into..]` (a loop: no view made). */
export function copyDigestBytes (from: Uint8Array, at: number, out: Uint8Array, into: number): void {
  for (let i = 0; i < 32; i++) out[into + i] = from[at + i]
}

/** Writes the node hash of a clean `node` (32 zero bytes for an empty subtree) to `out` at `at`. */
export function writeNodeHash (node: TreeNode | null, out: Uint8Array, at: number): void {
  if (node === null) {
    out.fill(0, at, at + 32)
    return
  }
  // A clean node that does not own a digests object is a loaded one.
  if (!node.ownsHashes) {
    copyDigestBytes((node.slab as HashSlab).nodeHashes, node.slot * 32, out, at)
    return
  }
  const x = node.hashes as NodeHashes
  let c: number
  c = x.h0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = x.h1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = x.h2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = x.h3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = x.h4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = x.h5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = x.h6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = x.h7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = x.h8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = x.h9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = x.h10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

/** Writes the value hash to `out` at `at`. */
export function writeValueHash (x: NodeHashes, out: Uint8Array, at: number): void {
  let c: number
  c = x.v0; out[at + 0] = c >>> 16; out[at + 1] = (c >>> 8) & 0xff; out[at + 2] = c & 0xff
  c = x.v1; out[at + 3] = c >>> 16; out[at + 4] = (c >>> 8) & 0xff; out[at + 5] = c & 0xff
  c = x.v2; out[at + 6] = c >>> 16; out[at + 7] = (c >>> 8) & 0xff; out[at + 8] = c & 0xff
  c = x.v3; out[at + 9] = c >>> 16; out[at + 10] = (c >>> 8) & 0xff; out[at + 11] = c & 0xff
  c = x.v4; out[at + 12] = c >>> 16; out[at + 13] = (c >>> 8) & 0xff; out[at + 14] = c & 0xff
  c = x.v5; out[at + 15] = c >>> 16; out[at + 16] = (c >>> 8) & 0xff; out[at + 17] = c & 0xff
  c = x.v6; out[at + 18] = c >>> 16; out[at + 19] = (c >>> 8) & 0xff; out[at + 20] = c & 0xff
  c = x.v7; out[at + 21] = c >>> 16; out[at + 22] = (c >>> 8) & 0xff; out[at + 23] = c & 0xff
  c = x.v8; out[at + 24] = c >>> 16; out[at + 25] = (c >>> 8) & 0xff; out[at + 26] = c & 0xff
  c = x.v9; out[at + 27] = c >>> 16; out[at + 28] = (c >>> 8) & 0xff; out[at + 29] = c & 0xff
  c = x.v10; out[at + 30] = c >>> 8; out[at + 31] = c & 0xff
}

/** The node hash as a new array (32 zero bytes for an empty subtree); the node must be clean. */
export function nodeHashBytes (node: TreeNode | null): Uint8Array {
  const out = new Uint8Array(32)
  writeNodeHash(node, out, 0)
  return out
}

/** Writes the node's value hash at `at` of `out`; it must be computed (a proof must never carry a made-up one). */
export function writeValueHashOf (node: TreeNode, out: Uint8Array, at: number): void {
  if (!node.valueHashed) throw new Error('The value hash of this node is not computed yet')
  if (node.hashes !== null) writeValueHash(node.hashes, out, at)
  else copyDigestBytes((node.slab as HashSlab).valueHashes, node.slot * 32, out, at)
}

/** The value hash as a new array (see {@link writeValueHashOf}). */
export function valueHashBytes (node: TreeNode): Uint8Array {
  const out = new Uint8Array(32)
  writeValueHashOf(node, out, 0)
  return out
}
