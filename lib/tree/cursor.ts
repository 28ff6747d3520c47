/**
 * An in-order cursor over one version of the treap, forward or backward. It
 * holds the path to the current entry on a stack, so that moving on is O(1)
 * amortised and seeking is O(depth). The version it reads never changes, so a
 * cursor is unaffected by later writes: that is the implicit snapshot.
 */
import { compareKeys, keyPrefix } from '../bytes'
import { resolveOnce, resolveOrNull } from './node'
import type { TreeNode } from './node'

/**
 * Scratch queue of {@link TreeCursor.take}: subtree walks waiting for their
 * next step (the subtree, how many of its first entries to emit, and where
 * the first of them goes). Shared by all cursors: a take runs to completion.
 */
let waiting: Array<TreeNode | null> = []
let waitingCount = new Int32Array(0)
let waitingAt = new Int32Array(0)

/** Queues a walk of the first `count` entries of `node`'s subtree, placed from `at`, in slot `tail`; returns the next slot. */
function enqueue (tail: number, node: TreeNode | null, count: number, at: number): number {
  waiting[tail] = node
  waitingCount[tail] = count
  waitingAt[tail] = at
  return tail + 1 === waitingCount.length ? 0 : tail + 1
}

function reserveQueue (capacity: number): void {
  if (waitingCount.length >= capacity) return
  waiting = new Array<TreeNode | null>(capacity).fill(null)
  waitingCount = new Int32Array(capacity)
  waitingAt = new Int32Array(capacity)
}

/** Walks whose nodes {@link loadAhead} loads together. */
const LOAD_AHEAD = 32

/** Where {@link loadAhead} leaves what it read, so that its loads are not optimised away. */
const loaded = { sink: 0 }

/**
 * Reads the next `count` waiting walks' nodes, then their near children, in
 * two tight loops. A load that misses the caches blocks the processor once
 * its queue of pending instructions fills, which the work of one step does:
 * issued back to back, the misses of many walks are waited for together,
 * and the steps that follow find their nodes in the cache.
 */
function loadAhead (from: number, count: number, capacity: number, reverse: boolean): void {
  let sink = 0
  let i = from
  for (let k = 0; k < count; k++) {
    sink += (waiting[i] as TreeNode).size
    i = i + 1 === capacity ? 0 : i + 1
  }
  i = from
  for (let k = 0; k < count; k++) {
    const node = waiting[i] as TreeNode
    const near = reverse ? node.right : node.left
    if (near !== null) sink += near.size
    i = i + 1 === capacity ? 0 : i + 1
  }
  loaded.sink = sink
}

/** Cursor over the entries of one tree version. */
export class TreeCursor {
  #stack: TreeNode[] = []

  constructor (private readonly root: TreeNode | null, readonly reverse: boolean) {}

  /** Positions on the first entry in the cursor's direction. */
  first (): void {
    this.#stack.length = 0
    this.#descend(this.root)
  }

  /**
   * Positions on the first entry at or after `target` in the cursor's
   * direction (strictly after it when `inclusive` is false).
   */
  seek (target: Uint8Array, inclusive: boolean): void {
    const stack = this.#stack
    stack.length = 0
    const tp = keyPrefix(target)
    let node = resolveOrNull(this.root)
    while (node !== null) {
      const c = compareKeys(node.key, node.kp, target, tp)
      const onSide = this.reverse ? (c < 0 || (c === 0 && inclusive)) : (c > 0 || (c === 0 && inclusive))
      if (onSide) {
        stack.push(node)
        node = resolveOrNull(this.reverse ? node.right : node.left)
      } else {
        node = resolveOrNull(this.reverse ? node.left : node.right)
      }
    }
  }

  /** The current entry's node, or null past the end. */
  get current (): TreeNode | null {
    const stack = this.#stack
    return stack.length === 0 ? null : stack[stack.length - 1]
  }

  /** Moves to the next entry in the cursor's direction. */
  advance (): void {
    const node = this.#stack.pop()
    if (node === undefined) return
    this.#descend(this.reverse ? node.left : node.right)
  }

  /**
   * Copies up to `max` entries into `out`, starting at the current one, moves
   * past them, and returns how many it copied. `out` is filled from index 0
   * and must already have `max` slots, as a dense array: the entries are
   * placed out of order.
   *
   * Why not `advance()` in a loop: at 10^6 entries nearly every node of an
   * in-order walk is a cache miss, and the walk knows the next node only
   * once the current one is loaded, so the misses are waited for one after
   * another. Subtree sizes say in advance where each entry goes, so the
   * entries are split into independent subtree walks, run one step each in
   * turn (a queue), and their misses overlap. The position after the last
   * entry is then found by rank, along nodes just loaded.
   */
  take (max: number, out: TreeNode[]): number {
    const stack = this.#stack
    const reverse = this.reverse
    reserveQueue(max + 1)
    let tail = 0
    let taken = 0
    // The stack's nodes are the next entries, each followed by its far subtree:
    // queue those subtrees whole, until `max` entries are placed.
    let keep = stack.length
    let partial: TreeNode | null = null
    let partialRank = 0
    while (keep > 0 && taken < max) {
      const node = stack[--keep]
      out[taken++] = node
      const far = reverse ? node.left : node.right
      const farSize = far === null ? 0 : far.size
      const count = Math.min(farSize, max - taken)
      if (count > 0) {
        tail = enqueue(tail, far, count, taken)
        taken += count
      }
      if (count < farSize) {
        partial = far
        partialRank = count
        break
      }
    }
    stack.length = keep
    // Each step of a walk places one node or goes one level down; a walk with
    // entries on both sides of its node leaves two walks. At most one walk per
    // entry is ever waiting, so a queue of `max + 1` slots never overflows.
    const capacity = waitingCount.length
    let head = 0
    let pending = tail
    let ready = 0
    while (pending > 0) {
      if (ready === 0) {
        ready = Math.min(pending, LOAD_AHEAD)
        loadAhead(head, ready, capacity, reverse)
      }
      ready--
      // Each waiting node is read here once: a long take is a scan, kept out of the cache.
      const node = resolveOnce(waiting[head] as TreeNode)
      const count = waitingCount[head]
      const at = waitingAt[head]
      waiting[head] = null
      head = head + 1 === capacity ? 0 : head + 1
      pending--
      const near = reverse ? node.right : node.left
      const nearSize = near === null ? 0 : near.size
      if (count <= nearSize) {
        tail = enqueue(tail, near, count, at)
        pending++
        continue
      }
      out[at + nearSize] = node
      if (nearSize > 0) {
        tail = enqueue(tail, near, nearSize, at)
        pending++
      }
      const farCount = count - nearSize - 1
      if (farCount > 0) {
        tail = enqueue(tail, reverse ? node.left : node.right, farCount, at + nearSize + 1)
        pending++
      }
    }
    if (partial !== null) this.#descendToRank(partial, partialRank)
    return taken
  }

  /** Pushes the path to the entry `rank` places into `node`'s subtree (in the cursor's direction). */
  #descendToRank (from: TreeNode | null, rank: number): void {
    const stack = this.#stack
    const reverse = this.reverse
    let node = resolveOrNull(from)
    while (node !== null) {
      const near = reverse ? node.right : node.left
      const nearSize = near === null ? 0 : near.size
      if (rank < nearSize) {
        stack.push(node)
        node = resolveOrNull(near)
      } else if (rank === nearSize) {
        stack.push(node)
        return
      } else {
        rank -= nearSize + 1
        node = resolveOrNull(reverse ? node.left : node.right)
      }
    }
  }

  #descend (from: TreeNode | null): void {
    let node = resolveOrNull(from)
    while (node !== null) {
      this.#stack.push(node)
      node = resolveOrNull(this.reverse ? node.right : node.left)
    }
  }
}
