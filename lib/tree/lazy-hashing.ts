/**
 * Lazy hashing of the treap. Writes only mark the copied path dirty; hashes
 * are computed here, when a root is asked for, bottom-up over dirty nodes
 * only, so a batch of writes shares the work on common ancestors.
 *
 * The nodes to hash are listed breadth-first (no recursion, so no limit on
 * deep trees) and hashed in reverse, children before parents. The
 * asynchronous form gives the event loop a turn every few milliseconds, so
 * that hashing a whole large tree (after a bulk load, before a checkpoint)
 * never stalls concurrent writers for long.
 */
import { EMPTY_HASH, NODE_LEFT_AT, NODE_RIGHT_AT, NODE_VALUE_HASH_AT, rootWith } from './hash-formulas'
import { nodeDigestOfPreimage, nodePreimage, sha256, valueDigest } from './node-crypto-hashes'
import { hashesOf, nodeHashBytes, storeNodeHash, storeValueHash, writeNodeHash, writeValueHash } from './cached-digests'
import { Pacer } from '../turn'
import type { TreeNode } from './node'
import type { TreeParams } from './params'

/**
 * Computes the node hash of `node`, whose children are clean, and its
 * value hash if it has none. Written into the node's own digests object (made
 * now if it shares its original's): every version that reaches this node
 * reaches this same object and needs the new hash.
 */
function hashOne (node: TreeNode): void {
  if (!node.valueHashed) storeValueHash(node, valueDigest(node.value))
  const x = hashesOf(node)
  writeNodeHash(node.left, nodePreimage, NODE_LEFT_AT)
  writeNodeHash(node.right, nodePreimage, NODE_RIGHT_AT)
  writeValueHash(x, nodePreimage, NODE_VALUE_HASH_AT)
  storeNodeHash(x, nodeDigestOfPreimage(node.key))
  node.dirty = false
}

/** Hashes every dirty node under `root` and returns the root node's hash. */
export function hashSubtree (root: TreeNode | null): Uint8Array {
  if (root === null) return EMPTY_HASH
  const listing = new DirtyListing(root)
  while (listing.step(LIST_STEP)) { /* every node listed when it returns false */ }
  const { segments } = listing
  for (let s = segments.length - 1; s >= 0; s--) {
    for (let end = segments[s].length; end > 0;) end = hashSlice(segments[s], end)
  }
  return nodeHashBytes(root)
}

/**
 * Like {@link hashSubtree}, giving the event loop a turn after every slice of
 * work (lib/turn.ts), so that a large tree is hashed while writers go on.
 */
export async function hashSubtreeAsync (root: TreeNode | null, pacer = new Pacer()): Promise<Uint8Array> {
  if (root === null) return EMPTY_HASH
  const listing = new DirtyListing(root)
  // The clock is read every LIST_STEP nodes only: listing one takes well under a microsecond.
  while (listing.step(LIST_STEP)) if (pacer.due) await pacer.turn()
  const { segments } = listing
  for (let s = segments.length - 1; s >= 0; s--) {
    for (let end = segments[s].length; end > 0;) {
      end = hashSlice(segments[s], end)
      if (pacer.due) await pacer.turn()
    }
  }
  return nodeHashBytes(root)
}

/** Nodes listed per {@link DirtyListing.step}. */
const LIST_STEP = 1024
/** Nodes per segment of a {@link DirtyListing}. */
const SEGMENT = 65536

/**
 * The dirty nodes under a root, listed breadth-first, parents before
 * children, to be hashed from the end, so that every node comes after its
 * children. Breadth-first, consecutive nodes are independent: their cache
 * misses overlap, in listing and in loadAhead. A clean child is not listed
 * (nothing below it is dirty); its hash is read when its parent is hashed.
 *
 * The list is kept in segments of at most SEGMENT nodes: one array of 10^6
 * nodes grew by copying itself, and the last copies held a writer for 36–48
 * ms while a checkpoint listed a bulk-loaded tree.
 */
class DirtyListing {
  readonly segments: TreeNode[][]
  #segment = 0
  #next = 0

  constructor (root: TreeNode) {
    this.segments = [[root]]
  }

  /** Lists the dirty children of up to `count` more nodes; false once every node is listed. */
  step (count: number): boolean {
    const segments = this.segments
    for (; count > 0; count--) {
      let segment = segments[this.#segment]
      if (this.#next === segment.length) {
        if (this.#segment === segments.length - 1) return false
        segment = segments[++this.#segment]
        this.#next = 0
      }
      const node = segment[this.#next++]
      if (!node.dirty) continue
      const { left, right } = node
      if (left !== null && left.dirty) this.#add(left)
      if (right !== null && right.dirty) this.#add(right)
    }
    return true
  }

  #add (node: TreeNode): void {
    const last = this.segments[this.segments.length - 1]
    if (last.length < SEGMENT) last.push(node)
    else this.segments.push([node])
  }
}

/** Nodes whose hashing inputs {@link loadAhead} loads together. */
const HASH_SLICE = 32

// Hashes list[end - HASH_SLICE, end) from the end; returns where the next slice ends. A node
// already clean was hashed meanwhile (the asynchronous form yields, and a root of a newer
// version that shares it may have hashed it).
function hashSlice (list: TreeNode[], end: number): number {
  const from = Math.max(0, end - HASH_SLICE)
  loadAhead(list, from, end)
  for (let i = end - 1; i >= from; i--) {
    const node = list[i]
    if (node.dirty) hashOne(node)
  }
  return from
}

/** Where {@link loadAhead} leaves what it read, so that its loads are not optimised away. */
const loaded = { sink: 0 }

/**
 * Reads what hashing `list[from..end)` will read (each key's object, its digests
 * object and its children, then the key's first byte, a new value's and the
 * children's digests objects) in two tight loops: at
 * 10^6 entries each is a probable cache miss, and issued back to back the misses
 * of many nodes are waited for together instead of one after another (a miss
 * blocks the processor once the instructions behind it fill its queue, which
 * one hash does).
 */
function loadAhead (list: TreeNode[], from: number, end: number): void {
  let sink = 0
  for (let i = from; i < end; i++) {
    const node = list[i]
    sink += node.key.length
    const x = node.hashes
    // The digests object spans several cache lines: one field of each.
    if (x !== null) sink += x.h0 + x.v0 + x.v10
    else if (node.slab !== null) sink += node.slab.valueHashes[node.slot * 32]
    const { left, right } = node
    if (left !== null && left.hashes !== null) sink++
    if (right !== null && right.hashes !== null) sink++
  }
  for (let i = from; i < end; i++) {
    const node = list[i]
    const key = node.key
    if (key.length > 0) sink += key[0]
    const value = node.value
    if (!node.valueHashed && value.length > 0) sink += value[0] + value[value.length - 1]
    // A child's hash spans two cache lines of its digests object, or one 32-byte run of a slab.
    const { left, right } = node
    if (left !== null) sink += childHashFirstWord(left)
    if (right !== null) sink += childHashFirstWord(right)
  }
  loaded.sink = sink
}

// Reads what holds a clean child's node hash.
function childHashFirstWord (child: TreeNode): number {
  const x = child.hashes
  if (x !== null && child.ownsHashes) return x.h0 + x.h10
  return child.slab !== null ? child.slab.nodeHashes[child.slot * 32] : 0
}

/** The published root (hash-formulas.ts rootWith) from the top node's hash: one hash per version. */
export function rootDigest (top: Uint8Array, count: number, params: TreeParams): Uint8Array {
  return rootWith(sha256, params.salt, count, top)
}
