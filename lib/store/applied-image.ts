/**
 * A checkpoint's image of the captured version with the writes buffered
 * since (write-buffer.ts) applied, built and written in one pass, so that the
 * nodes the writes make are never all in memory at once.
 *
 * The writes are applied in key order, a chunk at a time, to a private edit
 * of the captured version. After a chunk, every subtree hanging to the left
 * of the search path of the next chunk's first key K holds only keys below K,
 * and no later write can change it: an insert or a delete of a key at or
 * above K changes only nodes on that key's own search path and, for a delete,
 * the right spine of the deleted node's left subtree, whose left subtrees it
 * keeps. So each such subtree is hashed, written to the image (children
 * first) and replaced in its parent by a stub of its record; what stays in
 * memory is the path and the chunk's nodes to its right.
 */
import { compareBytes } from '../bytes'
import type { ImageTarget, WrittenImage } from '../image/write-image'
import { ImageWriter } from '../image/write-image'
import { hashSubtree } from '../tree/lazy-hashing'
import type { TreeNode } from '../tree/node'
import { Tree } from '../tree/tree'
import { Pacer } from '../turn'
import { applyOps } from './batch-record'
import type { DelOp, PutOp } from './batch-record'

/** Writes applied between two writes of the finished subtrees. */
export const APPLY_CHUNK = 1024

/** The image written, and the state it holds (its entries). */
export interface AppliedImage {
  written: WrittenImage
  entries: number
}

/**
 * Writes and publishes the image of `tree` with `ops` (at most one per key,
 * in key order) applied, `chunk` writes at a time, as described in the file
 * header.
 */
export async function writeAppliedImage (target: ImageTarget, tree: Tree, ops: ReadonlyArray<PutOp | DelOp>, chunk = APPLY_CHUNK): Promise<AppliedImage> {
  const pacer = new Pacer()
  // The captured version may hold nodes in memory that no image has yet: hashed in slices first.
  await tree.rootAsync()
  const writer = await ImageWriter.create(target, false)
  try {
    const edit = Tree.newEdit()
    let work = tree
    for (let from = 0; from < ops.length; from += chunk) {
      const to = Math.min(ops.length, from + chunk)
      const part = ops.slice(from, to)
      work = work.edit(start => applyOps(start, part), edit)
      if (to < ops.length) await writeLeftOf(work.top, ops[to].key, edit, writer)
      if (pacer.due) await pacer.turn()
    }
    const root = work.root()
    const top = await writer.write(work.top)
    return { written: await writer.publish(top, work.size, root), entries: work.size }
  } finally {
    await writer.abandon()
  }
}

// Writes the subtrees left of the search path of `key` (see the file header), walking the nodes
// of edit `edit` only: the others are shared with versions outside this checkpoint.
async function writeLeftOf (top: TreeNode | null, key: Uint8Array, edit: number, writer: ImageWriter): Promise<void> {
  let node = top
  while (node !== null && !node.stub && node.edit === edit) {
    if (compareBytes(node.key, key) >= 0) {
      node = node.left
      continue
    }
    const child = node.left
    if (child !== null && child.src !== writer) {
      hashSubtree(child)
      const ref = await writer.write(child)
      if (ref !== null && ref.file === writer.index) node.left = writer.stubFor(ref)
    }
    node = node.right
  }
}
