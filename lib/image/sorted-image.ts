/**
 * The image of the tree of entries given in ascending key order, each with
 * the hashes that verifying its range proof computed for its node
 * (verify-proof.ts, HashedEntry): a replica's full copy is written as its
 * base image directly, hashing nothing a second time.
 *
 * The shape is found as build.ts finds it, the way a Cartesian tree is
 * built: the right spine on a stack, popped while the new entry's priority
 * is higher, the popped chain hung as its left child. A node leaves the
 * spine only once its subtree is final; the chain's top is then written
 * (children first) and stands in its new parent as a stub. Memory holds the
 * spine and the entries of the page being added.
 *
 * A node's children, as built, must have the hashes its node hash was
 * computed from during verification: so the image holds exactly the
 * verified tree, whose top hash then gives the root, or the build stops.
 */
import { bytesEqual, compareBytes, keyPrefix } from '../bytes'
import { nodeHashBytes, useSlab, writeNodeHash } from '../tree/cached-digests'
import { EMPTY_HASH } from '../tree/hash-formulas'
import { rootDigest } from '../tree/lazy-hashing'
import { newNode } from '../tree/node'
import type { TreeNode } from '../tree/node'
import type { TreeParams } from '../tree/params'
import { prefixOfDigest } from '../tree/priority'
import type { HashedEntry } from '../tree/verify-proof'
import { ImageWriter } from './write-image'
import type { ImageTarget, WrittenImage } from './write-image'

// A node on the right spine, with the verified hashes of its entry.
interface SpineNode {
  node: TreeNode
  entry: HashedEntry
}

type MutableNode = { -readonly [F in keyof TreeNode]: TreeNode[F] }

/** A base image being built from sorted, verified entries (see the file header). */
export class SortedImageBuilder {
  readonly #writer: ImageWriter
  readonly #params: TreeParams
  readonly #spine: SpineNode[] = []
  #count = 0
  #last: Uint8Array | null = null

  private constructor (writer: ImageWriter, params: TreeParams) {
    this.#writer = writer
    this.#params = params
  }

  /** Creates the image's temporary file; `target` must name a base (an empty chain). */
  static async create (target: ImageTarget, params: TreeParams): Promise<SortedImageBuilder> {
    if (target.chain.length > 0) throw new Error('A sorted build writes a base image')
    return new SortedImageBuilder(await ImageWriter.create(target, false), params)
  }

  /** Entries added so far. */
  get count (): number {
    return this.#count
  }

  /** Adds entries whose keys are ascending and above every key added before. */
  async add (entries: readonly HashedEntry[]): Promise<void> {
    const n = entries.length
    // One slab per page: the nodes' digests, copied from what verification computed.
    const slab = { nodeHashes: new Uint8Array(32 * n), valueHashes: new Uint8Array(32 * n) }
    const spine = this.#spine
    for (let i = 0; i < n; i++) {
      const entry = entries[i]
      if (this.#last !== null && compareBytes(entry.key, this.#last) <= 0) throw new Error('Entries of a sorted build must ascend')
      this.#last = entry.key
      slab.nodeHashes.set(entry.nodeHash, 32 * i)
      slab.valueHashes.set(entry.valueHash, 32 * i)
      const p = entry.priority
      const node = newNode(entry.key, keyPrefix(entry.key), entry.value, prefixOfDigest(p), null, null, 1)
      useSlab(node, slab, i)
      let chain: TreeNode | null = null
      while (spine.length > 0 && compareBytes(p, spine[spine.length - 1].entry.priority) > 0) {
        chain = finished(spine.pop() as SpineNode, chain)
      }
      ;(node as MutableNode).left = chain
      if (spine.length > 0) (spine[spine.length - 1].node as MutableNode).right = node
      spine.push({ node, entry })
      this.#count++
    }
    // Every left subtree hanging from the spine is final: written once per page, not per entry.
    for (const { node } of spine) {
      const left = node.left
      if (left !== null && left.src !== this.#writer) (node as MutableNode).left = await this.#written(left)
    }
  }

  /**
   * Finishes the tree, and publishes the image if its root is `expected`;
   * returns the root either way (a file not published is removed).
   */
  async finish (expected: Uint8Array): Promise<{ root: Uint8Array, written: WrittenImage | null }> {
    let chain: TreeNode | null = null
    while (this.#spine.length > 0) chain = finished(this.#spine.pop() as SpineNode, chain)
    const root = rootDigest(chain === null ? EMPTY_HASH : nodeHashBytes(chain), this.#count, this.#params)
    if (!bytesEqual(root, expected)) {
      await this.#writer.abandon()
      return { root, written: null }
    }
    const top = await this.#writer.write(chain)
    return { root, written: await this.#writer.publish(top, this.#count, root) }
  }

  /** Removes the temporary file, unless the image was published. */
  async abandon (): Promise<void> {
    await this.#writer.abandon()
  }

  // Writes the final subtree under `top` and returns the stub that stands for it.
  async #written (top: TreeNode): Promise<TreeNode> {
    const ref = await this.#writer.write(top)
    if (ref === null) throw new Error('A subtree of a sorted build was not written')
    return this.#writer.stubFor(ref)
  }
}

// A node leaving the spine: its right child is the chain popped before it, its subtree is final.
function finished ({ node, entry }: SpineNode, right: TreeNode | null): TreeNode {
  const mutable = node as MutableNode
  mutable.right = right
  mutable.size = 1 + (node.left === null ? 0 : node.left.size) + (right === null ? 0 : right.size)
  if (!hashIs(node.left, entry.leftHash) || !hashIs(right, entry.rightHash)) {
    throw new Error('A sorted build made another tree than the one verified')
  }
  return node
}

const scratch = new Uint8Array(32)

// Whether the node hash of `child` (EMPTY_HASH for none) is `hash`.
function hashIs (child: TreeNode | null, hash: Uint8Array): boolean {
  writeNodeHash(child, scratch, 0)
  return bytesEqual(scratch, hash)
}
