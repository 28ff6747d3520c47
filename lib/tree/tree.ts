/**
 * `Tree`: one immutable version of the Merkle treap — a root node, the entry
 * count and the public parameters. Writes return a new version; a held
 * version is an O(1) snapshot. This is the only type the other layers use.
 */
import { TreeNode, inEdit, newEdit } from './node'
import { TreeCursor } from './cursor'
import { hashSubtree, hashSubtreeAsync, rootDigest } from './lazy-hashing'
import { findNode, findNodes, insert, remove, removeRange } from './treap'
import type { KeyRange } from './treap'
import type { TreeParams } from './params'

/** An immutable version of the ordered Merkle tree. */
export class Tree {
  #root: Uint8Array | null = null

  private constructor (readonly top: TreeNode | null, readonly params: TreeParams) {}

  /** The empty tree with the given parameters. */
  static empty (params: TreeParams): Tree {
    return new Tree(null, params)
  }

  /** The tree whose root node is `top` (as produced by the builder). */
  static fromRoot (top: TreeNode | null, params: TreeParams): Tree {
    return new Tree(top, params)
  }

  /** Number of entries. */
  get size (): number {
    return this.top === null ? 0 : this.top.size
  }

  /** The value of `key`, or undefined. */
  get (key: Uint8Array): Uint8Array | undefined {
    const node = findNode(this.top, key)
    return node === null ? undefined : node.value
  }

  /** True when `key` is present. */
  has (key: Uint8Array): boolean {
    return findNode(this.top, key) !== null
  }

  /** The values of `keys` (undefined where absent), looked up together (treap.ts findNodes). */
  getMany (keys: readonly Uint8Array[]): Array<Uint8Array | undefined> {
    return findNodes(this.top, keys).map(node => node === null ? undefined : node.value)
  }

  /** Whether each of `keys` is present, looked up together. */
  hasMany (keys: readonly Uint8Array[]): boolean[] {
    return findNodes(this.top, keys).map(node => node !== null)
  }

  /** A new version with `key` set to `value`. */
  put (key: Uint8Array, value: Uint8Array): Tree {
    return new Tree(insert(this.top, key, value, this.params), this.params)
  }

  // A write that removed nothing returns this version. Whether anything was removed is asked
  // of the operation, not read from the root node's identity: within an edit a node may be
  // changed in place, so the same root node can hold other contents (and this version's
  // cached root would then be stale).

  /** A new version without `key` (this one when `key` is absent). */
  del (key: Uint8Array): Tree {
    const { root, removed } = remove(this.top, key, this.params)
    return removed ? new Tree(root, this.params) : this
  }

  /**
   * A new version without the entries of `range` (this one when the range is
   * empty). `onRemoved`, if given, is called with each removed key.
   */
  delRange (range: KeyRange, onRemoved?: (key: Uint8Array) => void): Tree {
    const { root, removed } = removeRange(this.top, range, this.params)
    if (onRemoved !== undefined) {
      const cursor = new TreeCursor(removed, false)
      cursor.first()
      for (let node = cursor.current; node !== null; cursor.advance(), node = cursor.current) onRemoved(node.key)
    }
    return removed === null && root === this.top ? this : new Tree(root, this.params)
  }

  /**
   * Applies many changes as one edit (see node.ts): `apply` receives this
   * version and returns the result of its puts, dels and range deletes;
   * intermediate versions must not escape it. Passing the `edit` number of an
   * earlier call (from {@link Tree.newEdit}) continues that edit: allowed only
   * while no version produced under it since has escaped either.
   */
  edit (apply: (tree: Tree) => Tree, edit = 0): Tree {
    return inEdit(() => apply(this), edit)
  }

  /** A fresh edit number for {@link Tree.edit}. */
  static newEdit (): number {
    return newEdit()
  }

  /** Runs `apply` as one edit spanning many versions (recovery's replay); the same rule applies. */
  static editing<T> (apply: () => T): T {
    return inEdit(apply)
  }

  /** A cursor over this version. */
  cursor (reverse = false): TreeCursor {
    return new TreeCursor(this.top, reverse)
  }

  /** The 32-byte Merkle root of this version (computing dirty hashes now). */
  root (): Uint8Array {
    if (this.#stale()) this.#root = rootDigest(hashSubtree(this.top), this.size, this.params)
    return this.#root as Uint8Array
  }

  /** Like {@link root}, hashing in slices that yield to the event loop. */
  async rootAsync (): Promise<Uint8Array> {
    if (this.#stale()) {
      this.#root = rootDigest(await hashSubtreeAsync(this.top), this.size, this.params)
    }
    return this.#root as Uint8Array
  }

  // Whether the nodes must be hashed before the root is known. A cached root alone is not
  // enough: within an edit, an operation that changed no entry may still have replaced nodes
  // below the same top node (a range delete that removed nothing splits and joins the tree),
  // and proofs read the hashes of those nodes. Any node left to hash makes the top dirty.
  // Only this Tree object can be affected: other versions that share its top node would be
  // versions of the open edit, which never escape it (see edit()).
  #stale (): boolean {
    return this.#root === null || (this.top !== null && this.top.dirty)
  }
}
