/**
 * The entries in which two trees differ, found by walking both in key order
 * and skipping every pair of subtrees whose node hashes are equal.
 *
 * Each side is a frontier: the not yet visited part of its tree in key order,
 * as a list of whole subtrees (known by hash and size alone) and single
 * entries. When both frontiers start with a subtree of the same hash, the two
 * subtrees hold the same entries, and those entries are the next ones of both
 * sides: both are dropped unread. Otherwise one side's first subtree is
 * opened (replaced by its left subtree, its entry and its right subtree):
 * the larger one, or both when their sizes are equal, so that the two sides
 * keep opening down to subtrees of the same extent. Two entries in front are
 * compared by key, and the smaller one (or a pair with different values) is a
 * difference.
 *
 * This is correct for any two binary search trees. It is fast for treaps
 * because their shape depends only on their contents (docs/MERKLE.md, 1.3):
 * away from the keys that differ, the two trees are made of the same subtrees,
 * so d differing keys open the paths to them and the few nodes around, about
 * O(d · log n) nodes (docs/MERKLE.md, "Diff").
 *
 * The nodes come from a {@link DiffSource}: a tree version in memory or on
 * disk ({@link treeSource}), or anything else that can open a subtree by its
 * reference, such as a peer over the network.
 */
import { bytesEqual, compareBytes } from '../bytes'
import { nodeHashBytes } from './cached-digests'
import { resolve } from './node'
import type { TreeNode } from './node'
import { covers, disjoint, rangeCover } from './proof-range'
import type { Cover } from './proof-range'
import type { KeyRange } from './treap'
import type { Tree } from './tree'

/** A subtree as a diff sees it before opening it: its node hash and its number of entries. */
export interface SubtreeRef {
  readonly hash: Uint8Array
  readonly size: number
}

/** A subtree opened: the entry of its top node and its two children (null: empty). */
export interface OpenedNode<R extends SubtreeRef> {
  readonly key: Uint8Array
  readonly value: Uint8Array
  readonly left: R | null
  readonly right: R | null
}

/** Where a diff reads one side's nodes from. */
export interface DiffSource<R extends SubtreeRef = SubtreeRef> {
  /** The whole tree (null: no entries). */
  readonly top: R | null
  /** The top node of subtree `ref`, with references to its children. */
  open: (ref: R) => OpenedNode<R> | Promise<OpenedNode<R>>
}

/** An entry that differs: its value before and after (undefined where the key is absent). */
export interface TreeDifference {
  readonly key: Uint8Array
  readonly before: Uint8Array | undefined
  readonly after: Uint8Array | undefined
}

/** What a diff counts as it goes. */
export interface DiffCounters {
  /** Subtrees opened, of both sides together. */
  opened: number
  /** Pairs of subtrees skipped because their hashes are equal. */
  skipped: number
}

// A frontier item: a subtree not opened yet, with the open key interval its ancestors give it,
// or an entry.
type Item<R extends SubtreeRef> = SubtreeItem<R> | EntryItem
interface SubtreeItem<R extends SubtreeRef> { readonly ref: R, readonly low: Uint8Array | null, readonly high: Uint8Array | null }
interface EntryItem { readonly ref: null, readonly key: Uint8Array, readonly value: Uint8Array }

// One side of the walk: its frontier as a stack, the next item last.
class Frontier<R extends SubtreeRef> {
  readonly #stack: Array<Item<R>> = []

  constructor (readonly source: DiffSource<R>, private readonly cover: Cover, private readonly counters: DiffCounters) {
    this.#push(source.top, null, null)
  }

  get next (): Item<R> | undefined {
    return this.#stack[this.#stack.length - 1]
  }

  drop (): void {
    this.#stack.pop()
  }

  /** Replaces the subtree in front by its left subtree, its entry and its right subtree. */
  async open (): Promise<void> {
    const item = this.#stack.pop() as SubtreeItem<R>
    this.counters.opened++
    const node = await this.source.open(item.ref)
    this.#push(node.right, node.key, item.high)
    if (covers(this.cover, node.key)) this.#stack.push({ ref: null, key: node.key, value: node.value })
    this.#push(node.left, item.low, node.key)
  }

  // A subtree that can hold no key of the range is left out unread.
  #push (ref: R | null, low: Uint8Array | null, high: Uint8Array | null): void {
    if (ref !== null && ref.size > 0 && !disjoint(this.cover, low, high)) this.#stack.push({ ref, low, high })
  }
}

/**
 * The entries in which `before` and `after` differ, in ascending key order,
 * within `range` (its bounds only; limit and reverse are ignored). `counters`,
 * if given, is updated as the walk goes.
 */
export async function * diffSources<A extends SubtreeRef, B extends SubtreeRef> (
  before: DiffSource<A>, after: DiffSource<B>, range: KeyRange = {}, counters: DiffCounters = { opened: 0, skipped: 0 }
): AsyncGenerator<TreeDifference, void, undefined> {
  const cover = rangeCover({ ...range, reverse: false })
  const a = new Frontier(before, cover, counters)
  const b = new Frontier(after, cover, counters)
  for (;;) {
    const x = a.next
    const y = b.next
    if (x === undefined && y === undefined) return
    if (x !== undefined && x.ref !== null) {
      if (y !== undefined && y.ref !== null) {
        if (bytesEqual(x.ref.hash, y.ref.hash)) {
          counters.skipped++
          a.drop()
          b.drop()
          continue
        }
        // The larger subtree first: the other may be one of its parts.
        if (x.ref.size >= y.ref.size) await a.open()
        if (x.ref.size <= y.ref.size) await b.open()
        continue
      }
      await a.open()
      continue
    }
    if (y !== undefined && y.ref !== null) {
      await b.open()
      continue
    }
    // Entries in front of both sides, or of the one side left.
    const order = x === undefined ? 1 : y === undefined ? -1 : compareBytes((x as EntryItem).key, (y as EntryItem).key)
    if (order <= 0) a.drop()
    if (order >= 0) b.drop()
    const removed = order <= 0 ? (x as EntryItem).value : undefined
    const added = order >= 0 ? (y as EntryItem).value : undefined
    if (removed === undefined || added === undefined || !bytesEqual(removed, added)) {
      yield { key: order <= 0 ? (x as EntryItem).key : (y as EntryItem).key, before: removed, after: added }
    }
  }
}

/** A subtree of a local tree version: the node (possibly a stub not read yet) with its hash and size. */
export interface LocalRef extends SubtreeRef {
  readonly node: TreeNode
}

function localRef (node: TreeNode | null): LocalRef | null {
  return node === null ? null : { node, hash: nodeHashBytes(node), size: node.size }
}

/**
 * A tree version as a diff source. The tree must be hashed (`tree.root()` or
 * `await tree.rootAsync()`): references carry the cached hashes, which a stub
 * knows without reading its node from disk.
 */
export function treeSource (tree: Tree): DiffSource<LocalRef> {
  return {
    top: localRef(tree.top),
    open (ref: LocalRef): OpenedNode<LocalRef> {
      const node = resolve(ref.node)
      return { key: node.key, value: node.value, left: localRef(node.left), right: localRef(node.right) }
    }
  }
}

/** The differences from tree version `before` to `after`; both must be hashed (see {@link treeSource}). */
export function diffTrees (before: Tree, after: Tree, range?: KeyRange, counters?: DiffCounters): AsyncGenerator<TreeDifference, void, undefined> {
  return diffSources(treeSource(before), treeSource(after), range, counters)
}
