/**
 * The decoded nodes an image file keeps, by record offset: an open-addressing
 * hash table (linear probing, deletion by backward shift) of offsets in one
 * Float64Array beside the nodes in one array. A Map of as many entries cost
 * a sixth of a full walk's time in its lookups, insertions and deletions: its
 * entries lie in chains apart from its buckets, each a probable processor
 * cache miss once the table outgrows the cache.
 */
import type { TreeNode } from '../tree/node'

// Slots at first, and the fewest a table shrinks to.
const MIN_CAPACITY = 1024

/** Decoded nodes by their records' offsets (offsets are positive: records follow the header). */
export class NodeTable {
  // 0 marks an empty slot.
  #offsets = new Float64Array(MIN_CAPACITY)
  #nodes: Array<TreeNode | undefined> = new Array<TreeNode | undefined>(MIN_CAPACITY).fill(undefined)
  #mask = MIN_CAPACITY - 1
  /** Nodes held. */
  size = 0

  /** The node kept for the record at `at`, or undefined. */
  get (at: number): TreeNode | undefined {
    const offsets = this.#offsets
    const mask = this.#mask
    for (let i = slotOf(at, mask); ; i = (i + 1) & mask) {
      const o = offsets[i]
      if (o === at) return this.#nodes[i]
      if (o === 0) return undefined
    }
  }

  /** Keeps `node` for the record at `at` (which the table must not hold yet). */
  set (at: number, node: TreeNode): void {
    if ((this.size + 1) * 2 > this.#offsets.length) this.#resize(this.#offsets.length * 2)
    this.#place(at, node)
    this.size++
  }

  /** Forgets the node at `at`; whether there was one. */
  delete (at: number): boolean {
    const offsets = this.#offsets
    const nodes = this.#nodes
    const mask = this.#mask
    let i = slotOf(at, mask)
    for (; ; i = (i + 1) & mask) {
      const o = offsets[i]
      if (o === at) break
      if (o === 0) return false
    }
    // Backward shift: move up each later entry of the run that may not sit past the hole.
    for (let j = (i + 1) & mask; offsets[j] !== 0; j = (j + 1) & mask) {
      const home = slotOf(offsets[j], mask)
      // The entry stays if its home lies cyclically in (i, j].
      if (i <= j ? (home > i && home <= j) : (home > i || home <= j)) continue
      offsets[i] = offsets[j]
      nodes[i] = nodes[j]
      i = j
    }
    offsets[i] = 0
    nodes[i] = undefined
    this.size--
    if (this.size * 8 < offsets.length && offsets.length > MIN_CAPACITY) this.#resize(offsets.length / 2)
    return true
  }

  /** Forgets every node. */
  clear (): void {
    this.#offsets = new Float64Array(MIN_CAPACITY)
    this.#nodes = new Array<TreeNode | undefined>(MIN_CAPACITY).fill(undefined)
    this.#mask = MIN_CAPACITY - 1
    this.size = 0
  }

  #place (at: number, node: TreeNode): void {
    const offsets = this.#offsets
    const mask = this.#mask
    let i = slotOf(at, mask)
    while (offsets[i] !== 0) i = (i + 1) & mask
    offsets[i] = at
    this.#nodes[i] = node
  }

  #resize (capacity: number): void {
    const offsets = this.#offsets
    const nodes = this.#nodes
    this.#offsets = new Float64Array(capacity)
    this.#nodes = new Array<TreeNode | undefined>(capacity).fill(undefined)
    this.#mask = capacity - 1
    for (let i = 0; i < offsets.length; i++) if (offsets[i] !== 0) this.#place(offsets[i], nodes[i] as TreeNode)
  }
}

// The home slot of offset `at`: its bits mixed (murmur3's finalizer), so that the slot's bits
// depend on all of them.
function slotOf (at: number, mask: number): number {
  let h = (at | 0) ^ Math.imul((at / 0x100000000) | 0, 0x9e3779b1)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h & mask
}
