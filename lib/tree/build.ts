/**
 * Builds the treap of entries in strictly ascending key order in O(n), in two
 * steps that a snapshot load runs on different threads:
 *
 *  1. {@link layoutTree} works on flat arrays only (no node, no view kept): each
 *     entry's priority and value hash, the tree's shape (each entry's children,
 *     by index) and every node hash. Being plain typed arrays, all of it can be
 *     computed in a worker into shared memory while this thread does other work.
 *     (A snapshot too large for one buffer is laid out here from its entries' views.)
 *  2. {@link linkLayout} links nodes made for the entries ({@link entryNode}),
 *     meanwhile on this thread, as the layout says, with their digests known.
 *
 * The shape is found the way a Cartesian tree is built: keep the right spine
 * on a stack, pop while the new entry's priority is higher, hang the popped
 * chain as its left child. It is exactly the tree that inserting the same
 * entries one by one in any order gives.
 */
import { keyPrefix } from '../bytes'
import { DIGEST_LENGTH, NODE_LEFT_AT, NODE_RIGHT_AT, NODE_VALUE_HASH_AT } from './hash-formulas'
import { nodeHashOfPreimageInto, nodePreimage, valueHashInto } from './node-crypto-hashes'
import { copyDigestBytes, useSlab } from './cached-digests'
import type { HashSlab } from './cached-digests'
import { newNode } from './node'
import type { TreeNode } from './node'
import { isHigher, priorityOf } from './priority'
import type { TreeParams } from './params'

/**
 * Entries laid out in one byte array: for entry i, `spans` holds the key's
 * offset and length, then the value's offset and length (4 numbers per entry).
 */
export interface FlatEntries {
  bytes: Uint8Array
  spans: Uint32Array
}

/** Entries as views, key i holding value i: a snapshot read in windows, which no one buffer holds. */
export interface EntryViews {
  keys: readonly Uint8Array[]
  values: readonly Uint8Array[]
}

/** The entries a layout is computed from. */
export type LayoutEntries = FlatEntries | EntryViews

/** Everything about the tree of n sorted entries that is not a node, by entry index. */
export interface TreeLayout {
  /** Leading 30 bits of each key's priority (priority.ts). */
  priorities: Int32Array
  /** Each value's hash, 32 bytes per entry. */
  valueHashes: Uint8Array
  /** Index of each entry's left child, -1 for none. */
  left: Int32Array
  /** Index of each entry's right child, -1 for none. */
  right: Int32Array
  /** Every entry index once, each after its children's. */
  order: Int32Array
  /** Each entry's node hash, 32 bytes per entry. */
  nodeHashes: Uint8Array
  /** [0]: index of the top entry, -1 when there are none. */
  top: Int32Array
}

/** A layout for `count` entries, zeroed; in shared memory when a worker is to fill it. */
export function newTreeLayout (count: number, shared: boolean): TreeLayout {
  const bytes = (n: number): ArrayBuffer | SharedArrayBuffer => shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n)
  return {
    priorities: new Int32Array(bytes(4 * count)),
    valueHashes: new Uint8Array(bytes(DIGEST_LENGTH * count)),
    left: new Int32Array(bytes(4 * count)),
    right: new Int32Array(bytes(4 * count)),
    order: new Int32Array(bytes(4 * count)),
    nodeHashes: new Uint8Array(bytes(DIGEST_LENGTH * count)),
    top: new Int32Array(bytes(4))
  }
}

/**
 * Fills `out` for `entries`, whose keys must be strictly ascending (the
 * caller checks). Runs anywhere: it reads typed arrays and writes typed arrays.
 */
export function layoutTree (entries: LayoutEntries, params: TreeParams, out: TreeLayout): void {
  const { priorities, valueHashes } = out
  if (isFlat(entries)) {
    const { bytes, spans } = entries
    const count = spans.length / 4
    for (let i = 0; i < count; i++) {
      const k = spans[4 * i]
      const v = spans[4 * i + 2]
      priorities[i] = priorityOf(bytes.subarray(k, k + spans[4 * i + 1]), params)
      valueHashInto(bytes.subarray(v, v + spans[4 * i + 3]), valueHashes, i * DIGEST_LENGTH)
    }
  } else {
    const { keys, values } = entries
    for (let i = 0; i < keys.length; i++) {
      priorities[i] = priorityOf(keys[i], params)
      valueHashInto(values[i], valueHashes, i * DIGEST_LENGTH)
    }
  }
  shapeAndHash(entries, params, out)
}

function isFlat (entries: LayoutEntries): entries is FlatEntries {
  return 'spans' in entries
}

// The Cartesian-tree pass: each entry is finished (listed in `order`, node hash computed) when
// it leaves the spine, which is after both its children did.
function shapeAndHash (entries: LayoutEntries, params: TreeParams, out: TreeLayout): void {
  const count = isFlat(entries) ? entries.spans.length / 4 : entries.keys.length
  const { priorities, left, right } = out
  const spine = new Int32Array(count)
  let height = 0
  let finished = 0
  const finish = (i: number): void => {
    out.order[finished++] = i
    hashNode(entries, out, i)
  }
  for (let i = 0; i < count; i++) {
    let last = -1
    while (height > 0 && isHigherAt(entries, params, priorities, i, spine[height - 1])) {
      last = spine[--height]
      finish(last)
    }
    left[i] = last
    right[i] = -1
    if (height > 0) right[spine[height - 1]] = i
    spine[height++] = i
  }
  out.top[0] = height > 0 ? spine[0] : -1
  while (height > 0) finish(spine[--height])
}

// Whether entry a sits above entry b (priority.ts isHigher); the 30-bit priorities are compared
// here first, so that the keys' views are made only on the rare tie.
function isHigherAt (entries: LayoutEntries, params: TreeParams, priorities: Int32Array, a: number, b: number): boolean {
  if (priorities[a] !== priorities[b]) return priorities[a] > priorities[b]
  return isHigher(keyAt(entries, a), priorities[a], keyAt(entries, b), priorities[b], params)
}

function keyAt (entries: LayoutEntries, i: number): Uint8Array {
  if (!isFlat(entries)) return entries.keys[i]
  const k = entries.spans[4 * i]
  return entries.bytes.subarray(k, k + entries.spans[4 * i + 1])
}

// Node hash of entry i, whose children's are computed: assembled in the preimage buffer of
// node-crypto-hashes.ts as lazy-hashing.ts does for nodes.
function hashNode (entries: LayoutEntries, out: TreeLayout, i: number): void {
  const { nodeHashes } = out
  const l = out.left[i]
  const r = out.right[i]
  if (l < 0) nodePreimage.fill(0, NODE_LEFT_AT, NODE_LEFT_AT + DIGEST_LENGTH)
  else copyDigestBytes(nodeHashes, l * DIGEST_LENGTH, nodePreimage, NODE_LEFT_AT)
  if (r < 0) nodePreimage.fill(0, NODE_RIGHT_AT, NODE_RIGHT_AT + DIGEST_LENGTH)
  else copyDigestBytes(nodeHashes, r * DIGEST_LENGTH, nodePreimage, NODE_RIGHT_AT)
  copyDigestBytes(out.valueHashes, i * DIGEST_LENGTH, nodePreimage, NODE_VALUE_HASH_AT)
  nodeHashOfPreimageInto(keyAt(entries, i), nodeHashes, i * DIGEST_LENGTH)
}

/**
 * A node for an entry of a snapshot being loaded, made before its place in
 * the tree is known: so that nodes are made while the layout is computed
 * elsewhere, and {@link linkLayout} has only to link them.
 */
export function entryNode (key: Uint8Array, value: Uint8Array): TreeNode {
  return newNode(key, keyPrefix(key), value, 0, null, null, 1)
}

/**
 * Links the nodes of a computed layout into the tree and gives them their
 * digests: `nodes[i]` is entry i's, made by {@link entryNode} from views of
 * the same bytes the layout was computed from, and not yet reachable from any
 * version. Returns the top node. Nodes are finished children first, in
 * `order`; their digests stay in the layout's two hash arrays (cached-digests.ts,
 * HashSlab), which they keep alive.
 */
export function linkLayout (layout: TreeLayout, nodes: TreeNode[]): TreeNode | null {
  const { order, left, right, priorities } = layout
  const slab: HashSlab = { nodeHashes: layout.nodeHashes, valueHashes: layout.valueHashes }
  for (let k = 0; k < order.length; k++) {
    const i = order[k]
    const node = nodes[i] as { -readonly [F in keyof TreeNode]: TreeNode[F] }
    const l = left[i] < 0 ? null : nodes[left[i]]
    const r = right[i] < 0 ? null : nodes[right[i]]
    node.left = l
    node.right = r
    node.size = 1 + (l === null ? 0 : l.size) + (r === null ? 0 : r.size)
    node.prio = priorities[i]
    useSlab(node, slab, i)
  }
  return layout.top[0] < 0 ? null : nodes[layout.top[0]]
}
