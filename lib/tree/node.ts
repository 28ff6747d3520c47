/**
 * A node of the persistent Merkle treap. Nodes are immutable once published,
 * except for their hash cache, filled lazily (docs/MERKLE.md): the node hash
 * and the value hash, held as eleven small integers each in the node's
 * `hashes` object (cached-digests.ts).
 *
 * `dirty` means the node hash is not computed yet. A dirty node may still
 * have its value hash (`valueHashed`: it was copied from a node with the same
 * value, only its children changed); a node with a new value has neither.
 * A node is hashed only after its dirty children: a write marks its whole
 * path dirty, so a clean node has clean children.
 *
 * Edits: while a batch is applied (`inEdit`), nodes created by it carry the
 * batch's edit number and are changed in place instead of copied again: no
 * published version can reach them yet. This removes most of the garbage a
 * batch of path copies would make (the upper levels are shared by its writes).
 * An owner that knows no version escaped since its last edit may pass the same
 * edit number again (the engine does so until a reader captures the tree).
 */

import { keyPrefix as keyPrefixOf } from '../bytes'
import type { HashSlab, NodeHashes } from './cached-digests'

let activeEdit = 0
let lastEdit = 0
let made = 0

/** Nodes made so far in this process (new and copied): the engine bounds the memory of those since its last checkpoint by it. */
export function nodesMade (): number {
  return made
}

/** A fresh edit number, for a caller that keeps one edit open across calls of {@link inEdit}. */
export function newEdit (): number {
  return ++lastEdit
}

/**
 * Runs `apply` as edit `edit` (a fresh one by default): nodes it creates may be
 * reused in place until it returns, and by later calls with the same number.
 */
export function inEdit<T> (apply: () => T, edit = 0): T {
  if (activeEdit !== 0) return apply()
  activeEdit = edit === 0 ? newEdit() : edit
  try {
    return apply()
  } finally {
    activeEdit = 0
  }
}

/** A node of the treap; see the file header for the hash cache. */
export interface TreeNode {
  // Fields are listed in the order V8 lays them out (the order of the literal in newNode): what
  // a descent and an in-order walk read (the key, its prefix, the children, the value) come
  // first, in the node's first cache line; the flags, priority and size after. The digests live
  // in an object of their own: a node that carried them was four times larger, and at 10^6
  // entries descents and walks slowed by a quarter (more pages to translate per node visited).
  readonly key: Uint8Array
  /** The key's leading 30 bits (bytes.ts keyPrefix): most comparisons end there. */
  readonly kp: number
  left: TreeNode | null
  right: TreeNode | null
  value: Uint8Array
  /** The node hash (h0..h10) is not computed yet. */
  dirty: boolean
  /** The value hash (v0..v10) is computed. */
  valueHashed: boolean
  /** Leading 30 bits of the key's priority digest (priority.ts). */
  readonly prio: number
  /** Entries in this subtree. */
  size: number
  /** The edit that created this node (0: none); see the file header. */
  readonly edit: number
  /**
   * The cached digests (cached-digests.ts). A copy shares its original's object until
   * it is hashed itself (`ownsHashes` false): the fields its flags say are
   * known hold for it too, and copying a node allocates nothing.
   */
  hashes: NodeHashes | null
  ownsHashes: boolean
  /**
   * Where a loaded node's digests are, at `slot` (cached-digests.ts), and those its
   * copies share until they are hashed; null for other nodes.
   */
  slab: HashSlab | null
  slot: number
  /**
   * A stub stands for a node of a tree image that is not read yet: it knows only
   * its size and its node hash (slab, slot); {@link resolve} gives the node itself.
   */
  readonly stub: boolean
  /** The image file holding this node once it is written there (null: in memory only). */
  src: NodeSource | null
  /** Where the node's record starts in `src`, and its length in bytes. */
  at: number
  len: number
}

/** Where stubs are read from: an image file (lib/image). */
export interface NodeSource {
  /** The node a stub of this source stands for, read from its record (or a cache of them). */
  fetch (stub: TreeNode): TreeNode
  /**
   * Like fetch, but a node read from the record is not kept in the cache: for
   * walks that visit each node once (a scan larger than the cache would only
   * evict what other reads need, and keep every node it read alive meanwhile).
   */
  peek?: (stub: TreeNode) => TreeNode
}

/**
 * The node `node` stands for: itself, or, for a stub, the node read from its
 * image. Every read of a child's key, value, priority or children goes through
 * here; a child's size and a clean child's hash are known to its stub.
 */
export function resolve (node: TreeNode): TreeNode {
  return node.stub ? (node.src as NodeSource).fetch(node) : node
}

/** Like {@link resolve}, for a walk that visits the node once (NodeSource.peek). */
export function resolveOnce (node: TreeNode): TreeNode {
  if (!node.stub) return node
  const src = node.src as NodeSource
  return src.peek !== undefined ? src.peek(node) : src.fetch(node)
}

/** Like {@link resolve}, passing null through. */
export function resolveOrNull (node: TreeNode | null): TreeNode | null {
  return node === null || !node.stub ? node : (node.src as NodeSource).fetch(node)
}

const NO_BYTES = new Uint8Array(0)

/**
 * A stub of the node at `at` (`len` bytes) in `src`, with `size` entries below
 * it and its node hash in `slab` at `slot`.
 */
export function stubNode (src: NodeSource, at: number, len: number, size: number, slab: HashSlab, slot: number): TreeNode {
  return {
    key: NO_BYTES,
    kp: 0,
    left: null,
    right: null,
    value: NO_BYTES,
    dirty: false,
    valueHashed: false,
    prio: 0,
    size,
    edit: 0,
    hashes: null,
    ownsHashes: false,
    slab,
    slot,
    stub: true,
    src,
    at,
    len
  }
}

/**
 * A node read from an image (clean, both hashes known from `slab` at `slot`,
 * as a loaded node's), whose children are stubs or null.
 */
export function imageNode (key: Uint8Array, value: Uint8Array, prio: number, left: TreeNode | null, right: TreeNode | null, size: number, slab: HashSlab, slot: number, src: NodeSource, at: number, len: number): TreeNode {
  return {
    key,
    kp: keyPrefixOf(key),
    left,
    right,
    value,
    dirty: false,
    valueHashed: true,
    prio,
    size,
    edit: 0,
    hashes: null,
    ownsHashes: false,
    slab,
    slot,
    stub: false,
    src,
    at,
    len
  }
}

/**
 * A new dirty node. `size` is the subtree's entry count, given so that making
 * a node reads neither child. Made from an object literal, not a class: V8
 * tracks where literals are allocated and, once nearly all the objects made at
 * one place survive, allocates the next ones directly in the old generation.
 * Nodes live as long as the versions that reach them, so otherwise most are
 * copied by the young generation's collections first, while writers wait.
 */
export function newNode (key: Uint8Array, kp: number, value: Uint8Array, prio: number, left: TreeNode | null, right: TreeNode | null, size: number): TreeNode {
  made++
  return {
    key,
    kp,
    left,
    right,
    value,
    dirty: true,
    valueHashed: false,
    prio,
    size,
    edit: activeEdit,
    hashes: null,
    ownsHashes: false,
    slab: null,
    slot: 0,
    stub: false,
    src: null,
    at: 0,
    len: 0
  }
}

// A copy of `node` with the same value takes the original's value hash (from its digests object
// or its slab). Sharing is safe because the original is outside the open edit: its known fields
// never change again (hashing fills only what is unknown).
function shareHashes (node: TreeNode, copy: TreeNode): void {
  if (node.hashes === null && node.slab === null) return
  copy.hashes = node.hashes
  copy.slab = node.slab
  copy.slot = node.slot
  copy.valueHashed = node.valueHashed
}

// A copy of `node` with other children, value or size: a literal of its own with newNode's
// fields in the same order (one hidden class), because V8 pretenures per literal and copies are
// short-lived where new entries stay (docs/PERFORMANCE.md, "Measured decisions").
function copyOf (node: TreeNode, left: TreeNode | null, right: TreeNode | null, value: Uint8Array, size: number): TreeNode {
  made++
  return {
    key: node.key,
    kp: node.kp,
    left,
    right,
    value,
    dirty: true,
    valueHashed: false,
    prio: node.prio,
    size,
    edit: activeEdit,
    hashes: null,
    ownsHashes: false,
    slab: null,
    slot: 0,
    stub: false,
    src: null,
    at: 0,
    len: 0
  }
}

/** Number of entries under `node`. */
export function sizeOf (node: TreeNode | null): number {
  return node === null ? 0 : node.size
}

// In place: the node belongs to the open edit, so no published version reaches it.
function inOpenEdit (node: TreeNode): boolean {
  return node.edit !== 0 && node.edit === activeEdit
}

/**
 * `node` with another left subtree (same entry, value hash kept, node hash to
 * recompute). `before` is the size the left subtree had before the caller
 * changed it: the new size follows without reading the right child, which a
 * write does not otherwise touch. The right child's cached hash carries over.
 */
export function withLeft (node: TreeNode, left: TreeNode | null, before: number): TreeNode {
  const size = node.size - before + sizeOf(left)
  if (inOpenEdit(node)) {
    // Even the same object may have changed in place below: its cached hash is stale.
    node.left = left
    node.size = size
    node.dirty = true
    return node
  }
  // Outside the open edit the same child object is the same subtree: nodes of older edits are
  // never changed in place (an edit number is not reused once a version made under it escaped).
  if (left === node.left) return node
  const copy = copyOf(node, left, node.right, node.value, size)
  shareHashes(node, copy)
  return copy
}

/** Like {@link withLeft}, for the right subtree. */
export function withRight (node: TreeNode, right: TreeNode | null, before: number): TreeNode {
  const size = node.size - before + sizeOf(right)
  if (inOpenEdit(node)) {
    node.right = right
    node.size = size
    node.dirty = true
    return node
  }
  if (right === node.right) return node
  const copy = copyOf(node, node.left, right, node.value, size)
  shareHashes(node, copy)
  return copy
}

/** A copy of `node` with another value: both hashes to recompute. */
export function withValue (node: TreeNode, value: Uint8Array): TreeNode {
  if (inOpenEdit(node)) {
    node.value = value
    node.valueHashed = false
    node.dirty = true
    return node
  }
  return copyOf(node, node.left, node.right, value, node.size)
}
