/**
 * Persistent treap operations by path copying. Every function returns a new
 * root and never changes a node reachable from an old root, so a captured
 * root is an O(1) snapshot. The shape is the unique Cartesian tree of the
 * entries (bytewise key order, max-heap on priority), whatever the order of
 * operations: that is what makes the root history-independent.
 */
import { compareKeys, keyPrefix } from '../bytes'
import { newNode, resolve, resolveOrNull, sizeOf, withLeft, withRight, withValue } from './node'
import type { TreeNode } from './node'
import { isHigher, priorityOf } from './priority'
import type { TreeParams } from './params'

/** The node holding `key`, or null. */
export function findNode (root: TreeNode | null, key: Uint8Array): TreeNode | null {
  const kp = keyPrefix(key)
  let node = resolveOrNull(root)
  while (node !== null) {
    const c = compareKeys(key, kp, node.key, node.kp)
    if (c === 0) return node
    node = resolveOrNull(c < 0 ? node.left : node.right)
  }
  return null
}

/**
 * Finds many keys at once: `found[i]` is the node of `keys[i]`, or null. The
 * descents are interleaved, one level of every unfinished descent per pass,
 * so that the memory accesses of different descents are independent of one
 * another and the processor overlaps their cache misses; one descent after
 * the other would wait for each miss in turn.
 */
export function findNodes (root: TreeNode | null, keys: readonly Uint8Array[]): Array<TreeNode | null> {
  const n = keys.length
  const found = new Array<TreeNode | null>(n).fill(null)
  if (root === null) return found
  const at = new Array<TreeNode | null>(n).fill(resolve(root))
  const prefixes = new Array<number>(n)
  // The unfinished descents, compacted in place after every pass.
  const live = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    prefixes[i] = keyPrefix(keys[i])
    live[i] = i
  }
  for (let count = n; count > 0;) {
    let kept = 0
    for (let j = 0; j < count; j++) {
      const i = live[j]
      const node = at[i] as TreeNode
      const c = compareKeys(keys[i], prefixes[i], node.key, node.kp)
      if (c === 0) {
        found[i] = node
        continue
      }
      const next = c < 0 ? node.left : node.right
      if (next === null) continue
      at[i] = resolve(next)
      live[kept++] = i
    }
    count = kept
  }
  return found
}

/**
 * Sets `key` to `value`; returns the new root. One descent does both cases:
 * the key's priority is computed first (a hash costs less than a second,
 * cache-missing walk down the tree). While the new key's priority is lower
 * than the node's, the key, present or not, lies below; where it is higher,
 * the key cannot be present below (it would sit above), so it is inserted there.
 */
export function insert (root: TreeNode | null, key: Uint8Array, value: Uint8Array, params: TreeParams): TreeNode {
  return put(root, key, keyPrefix(key), value, priorityOf(key, params), params)
}

function put (at: TreeNode | null, key: Uint8Array, kp: number, value: Uint8Array, prio: number, params: TreeParams): TreeNode {
  if (at === null) return newNode(key, kp, value, prio, null, null, 1)
  const node = resolve(at)
  const c = compareKeys(key, kp, node.key, node.kp)
  if (c === 0) return withValue(node, value)
  if (isHigher(key, prio, node.key, node.prio, params)) {
    const [left, right] = split(node, key, kp, false)
    return newNode(key, kp, value, prio, left, right, 1 + sizeOf(left) + sizeOf(right))
  }
  // Sizes are read before the call: the subtree may be changed in place.
  if (c < 0) {
    const before = sizeOf(node.left)
    return withLeft(node, put(node.left, key, kp, value, prio, params), before)
  }
  const before = sizeOf(node.right)
  return withRight(node, put(node.right, key, kp, value, prio, params), before)
}

/** Removes `key`; returns the new root and whether the key was there (if not, the root is unchanged). */
export function remove (root: TreeNode | null, key: Uint8Array, params: TreeParams): { root: TreeNode | null, removed: boolean } {
  if (findNode(root, key) === null) return { root, removed: false }
  return { root: removePresent(root as TreeNode, key, keyPrefix(key), params), removed: true }
}

function removePresent (at: TreeNode, key: Uint8Array, kp: number, params: TreeParams): TreeNode | null {
  const node = resolve(at)
  const c = compareKeys(key, kp, node.key, node.kp)
  if (c === 0) return join(node.left, node.right, params)
  if (c < 0) {
    const before = sizeOf(node.left)
    return withLeft(node, removePresent(node.left as TreeNode, key, kp, params), before)
  }
  const before = sizeOf(node.right)
  return withRight(node, removePresent(node.right as TreeNode, key, kp, params), before)
}

/**
 * Splits into [keys below `bound`, the rest]; with `inclusive`, `bound` itself
 * goes to the first part.
 */
export function splitBelow (node: TreeNode | null, bound: Uint8Array, inclusive: boolean): [TreeNode | null, TreeNode | null] {
  return split(node, bound, keyPrefix(bound), inclusive)
}

function split (at: TreeNode | null, bound: Uint8Array, bp: number, inclusive: boolean): [TreeNode | null, TreeNode | null] {
  if (at === null) return [null, null]
  const node = resolve(at)
  const c = compareKeys(node.key, node.kp, bound, bp)
  if (c < 0 || (c === 0 && inclusive)) {
    const before = sizeOf(node.right)
    const [l, r] = split(node.right, bound, bp, inclusive)
    return [withRight(node, l, before), r]
  }
  const before = sizeOf(node.left)
  const [l, r] = split(node.left, bound, bp, inclusive)
  return [l, withLeft(node, r, before)]
}

/** Splits into [the first `count` entries, the rest]. */
export function splitAt (at: TreeNode | null, count: number): [TreeNode | null, TreeNode | null] {
  if (at === null) return [null, null]
  const node = resolve(at)
  const leftSize = sizeOf(node.left)
  if (count <= leftSize) {
    const [l, r] = splitAt(node.left, count)
    return [l, withLeft(node, r, leftSize)]
  }
  const before = sizeOf(node.right)
  const [l, r] = splitAt(node.right, count - leftSize - 1)
  return [withRight(node, l, before), r]
}

/** Joins two trees where every key of `a` is below every key of `b`. */
export function join (x: TreeNode | null, y: TreeNode | null, params: TreeParams): TreeNode | null {
  if (x === null) return y
  if (y === null) return x
  const a = resolve(x)
  const b = resolve(y)
  if (isHigher(a.key, a.prio, b.key, b.prio, params)) {
    const before = sizeOf(a.right)
    return withRight(a, join(a.right, b, params), before)
  }
  const before = sizeOf(b.left)
  return withLeft(b, join(a, b.left, params), before)
}

/** A key range as in abstract-level's iterator options, already encoded to bytes. */
export interface KeyRange {
  gt?: Uint8Array
  gte?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  /** Delete at most this many entries (-1 or absent: no limit), from the start, or the end with `reverse`. */
  limit?: number
  reverse?: boolean
}

/**
 * Removes the entries of a range; returns the new root and the subtree of
 * the removed entries (detached from the new root).
 */
export function removeRange (root: TreeNode | null, range: KeyRange, params: TreeParams): { root: TreeNode | null, removed: TreeNode | null } {
  // Cut the tree in three: below the range, the range, above it.
  let below: TreeNode | null = null
  let rest = root
  if (range.gte !== undefined) [below, rest] = splitBelow(rest, range.gte, false)
  else if (range.gt !== undefined) [below, rest] = splitBelow(rest, range.gt, true)
  let inside = rest
  let above: TreeNode | null = null
  if (range.lte !== undefined) [inside, above] = splitBelow(rest, range.lte, true)
  else if (range.lt !== undefined) [inside, above] = splitBelow(rest, range.lt, false)

  // A limit keeps the part of the range beyond the first (or last) `limit` entries.
  const limit = range.limit ?? -1
  const count = sizeOf(inside)
  if (limit >= 0 && limit < count) {
    if (range.reverse === true) {
      const [kept, removed] = splitAt(inside, count - limit)
      return { root: join(join(below, kept, params), above, params), removed }
    }
    const [removed, kept] = splitAt(inside, limit)
    return { root: join(below, join(kept, above, params), params), removed }
  }
  // Even when the range is empty the parts must be joined again: within an edit the splits
  // may have reused nodes in place, so the old root is no longer whole.
  return { root: join(below, above, params), removed: inside }
}
