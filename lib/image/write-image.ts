/**
 * Writes a tree version as an image file and publishes it: temporary name,
 * records streamed children first, the header block last at offset 0,
 * fsync (also every few MiB on the way), rename, directory fsync. Until the
 * rename the directory is untouched; a failure removes the temporary file.
 *
 * A node is written unless it is already in one of the files the new image
 * extends (`chain`): a base (empty chain) holds every node, a delta only the
 * nodes made since its chain was written, and refers to the rest.
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { nodeHashBytes } from '../tree/cached-digests'
import { resolve } from '../tree/node'
import type { TreeNode } from '../tree/node'
import type { Tree } from '../tree/tree'
import { Pacer } from '../turn'
import { IMAGE_HEADER_SIZE, encodeImageHeader, encodeRecord, fileTag, recordLength } from './format'
import type { ChildRef, ImageHeader, ImageKind } from './format'
import type { ImageFile } from './image-file'

const CHUNK = 1024 * 1024
// Synced on the way: one sync of the whole file at the end made the log's syncs wait behind it.
const SYNC_EVERY = 4 * 1024 * 1024

/** What to write. */
export interface ImageSpec {
  fs: FileSystem
  directory: string
  /** The file's final name and a temporary name in `directory`. */
  name: string
  tempName: string
  identity: Uint8Array
  seq: number
  kind: ImageKind
  /** The files the new image extends, index order (empty for a base). */
  chain: readonly ImageFile[]
  /** The version to write; hashed first if it is not. */
  tree: Tree
}

/** What was written. */
export interface WrittenImage {
  header: ImageHeader
  bytes: number
  /** Nodes written that were in memory only: they are in the new file once it is published. */
  adopted: Array<{ node: TreeNode, at: number, len: number }>
  /** Nodes written in all. */
  nodes: number
}

/** Writes and publishes the image (see the file header). */
export async function writeImage (spec: ImageSpec): Promise<WrittenImage> {
  const { fs, directory, tree } = spec
  const root = await tree.rootAsync()
  const index = spec.chain.length
  const tag = fileTag(spec.seq)
  const inChain = new Set<unknown>(spec.chain)
  const tempPath = join(directory, spec.tempName)
  const handle = await fs.open(tempPath, 'create')
  let published = false
  try {
    let position = IMAGE_HEADER_SIZE
    let synced = position
    let chunk = new Uint8Array(CHUNK)
    let used = 0
    const flush = async (): Promise<void> => {
      if (used === 0) return
      await handle.write(chunk.subarray(0, used), position - used)
      chunk = new Uint8Array(CHUNK)
      used = 0
      if (position - synced >= SYNC_EVERY) {
        await handle.sync()
        synced = position
      }
    }
    const adopted: WrittenImage['adopted'] = []
    let nodes = 0
    const pacer = new Pacer()

    // Post-order without recursion: a frame is visited twice, children first.
    const refOf = (node: TreeNode): ChildRef | null =>
      node.src !== null && inChain.has(node.src)
        ? { file: (node.src as ImageFile).index, at: node.at, len: node.len, size: node.size, node }
        : null
    let topRef: ChildRef | null = null
    if (tree.top !== null) {
      topRef = refOf(tree.top)
      const stack: Array<{ node: TreeNode, left: ChildRef | null, right: ChildRef | null, state: number }> = []
      if (topRef === null) stack.push({ node: resolve(tree.top), left: null, right: null, state: 0 })
      let done: ChildRef | null = null
      while (stack.length > 0) {
        const frame = stack[stack.length - 1]
        const { node } = frame
        if (frame.state === 0 || frame.state === 1) {
          const child = frame.state === 0 ? node.left : node.right
          if (frame.state === 1) frame.left = done
          frame.state++
          done = null
          if (child !== null) {
            done = refOf(child)
            if (done === null) stack.push({ node: resolve(child), left: null, right: null, state: 0 })
          }
          continue
        }
        frame.right = done
        stack.pop()
        const record = { node, left: frame.left, right: frame.right }
        const len = recordLength(record)
        if (used + len > chunk.length) {
          await flush()
          if (len > chunk.length) chunk = new Uint8Array(len)
        }
        encodeRecord(record, chunk.subarray(used, used + len), tag, position)
        done = { file: index, at: position, len, size: node.size, node }
        if (node.src === null) adopted.push({ node, at: position, len })
        used += len
        position += len
        nodes++
        if (pacer.due) {
          await flush()
          await pacer.turn()
        }
      }
      topRef ??= done
    }
    await flush()
    const header: ImageHeader = {
      identity: spec.identity,
      seq: spec.seq,
      count: tree.size,
      root,
      kind: spec.kind,
      chain: spec.chain.map(file => file.header.seq),
      top: topRef === null ? null : { file: topRef.file, at: topRef.at, len: topRef.len, hash: nodeHashBytes(topRef.node) },
      end: position
    }
    await handle.write(encodeImageHeader(header), 0)
    await handle.sync()
    await handle.close()
    await fs.rename(tempPath, join(directory, spec.name))
    published = true
    await fs.syncDirectory(directory)
    return { header, bytes: position, adopted, nodes }
  } finally {
    if (!published) {
      await handle.close().catch(() => {})
      await fs.unlink(tempPath).catch(() => {})
    }
  }
}
