/**
 * Writes a tree as an image file and publishes it: temporary name, records
 * streamed children first, the header block last at offset 0, fsync (also
 * every few MiB on the way), rename, directory fsync. Until the rename the
 * directory is untouched; a failure removes the temporary file.
 *
 * A node is written unless it is already in one of the files the new image
 * extends (`chain`) or in the new file itself: a base (empty chain) holds
 * every node, a delta only the nodes made since its chain was written, and
 * refers to the rest. {@link ImageWriter} takes the tree in parts, so that a
 * checkpoint can write the finished parts of a tree while it still builds
 * the rest (lib/store/stream-checkpoint.ts); {@link writeImage} writes a
 * whole version.
 */
import { join } from 'node:path'
import type { FileHandle, FileSystem } from '../fs/file-system'
import { nodeHashBytes } from '../tree/cached-digests'
import { resolve, stubNode } from '../tree/node'
import type { NodeSource, TreeNode } from '../tree/node'
import type { Tree } from '../tree/tree'
import { Pacer } from '../turn'
import { IMAGE_HEADER_SIZE, encodeImageHeader, encodeRecord, fileTag, recordLength } from './format'
import type { ChildRef, ImageHeader, ImageKind } from './format'
import type { ImageFile } from './image-file'

const CHUNK = 1024 * 1024
// Synced on the way: one sync of the whole file at the end made the log's syncs wait behind it.
const SYNC_EVERY = 4 * 1024 * 1024

/** Where the image goes and what it extends. */
export interface ImageTarget {
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
}

/** What to write: a target and the version, hashed first if it is not. */
export interface ImageSpec extends ImageTarget {
  tree: Tree
}

/** What was written. */
export interface WrittenImage {
  header: ImageHeader
  bytes: number
  /** Nodes written that were in memory only (when asked for): they are in the new file once it is published. */
  adopted: Array<{ node: TreeNode, at: number, len: number }>
  /** Nodes written in all. */
  nodes: number
}

/**
 * An image being written (see the file header). Also the source of the stubs
 * it hands out for what it wrote, which stand for those nodes in a tree that
 * is still being built; they are never read before the file is published,
 * and then only through the published file.
 */
export class ImageWriter implements NodeSource {
  readonly #target: ImageTarget
  readonly #handle: FileHandle
  readonly #tempPath: string
  readonly #tag: number
  readonly #inChain: Set<unknown>
  readonly #pacer = new Pacer()
  readonly #adopt: boolean
  #position = IMAGE_HEADER_SIZE
  #synced = IMAGE_HEADER_SIZE
  #chunk = new Uint8Array(CHUNK)
  #used = 0
  #done = false
  readonly adopted: WrittenImage['adopted'] = []
  nodes = 0

  private constructor (target: ImageTarget, handle: FileHandle, tempPath: string, adopt: boolean) {
    this.#target = target
    this.#adopt = adopt
    this.#handle = handle
    this.#tempPath = tempPath
    this.#tag = fileTag(target.seq)
    this.#inChain = new Set<unknown>(target.chain)
  }

  /**
   * Creates the temporary file. With `adopt`, the writer lists the nodes it
   * wrote from memory ({@link WrittenImage.adopted}); without, it keeps none.
   */
  static async create (target: ImageTarget, adopt = true): Promise<ImageWriter> {
    const tempPath = join(target.directory, target.tempName)
    const handle = await target.fs.open(tempPath, 'create')
    return new ImageWriter(target, handle, tempPath, adopt)
  }

  fetch (): TreeNode {
    throw new Error('A node of an image being written was read before the image was published')
  }

  /** A stub for the node `ref` refers to in this image, for a tree still being built. */
  stubFor (ref: ChildRef): TreeNode {
    const hash = nodeHashBytes(ref.node)
    return stubNode(this, ref.at, ref.len, ref.size, { nodeHashes: hash, valueHashes: hash }, 0)
  }

  /** The index the new file has in its generation (after the chain's). */
  get index (): number {
    return this.#target.chain.length
  }

  // The reference of a node held by the chain or by this file already; null when it must be written.
  #refOf (node: TreeNode): ChildRef | null {
    if (node.src === this) return { file: this.index, at: node.at, len: node.len, size: node.size, node }
    return node.src !== null && this.#inChain.has(node.src)
      ? { file: (node.src as ImageFile).index, at: node.at, len: node.len, size: node.size, node }
      : null
  }

  /**
   * Writes the nodes of the subtree under `top` that neither the chain nor
   * this file holds, children first, and returns the reference of `top`
   * (null for an empty subtree). Every node must be hashed.
   */
  async write (top: TreeNode | null): Promise<ChildRef | null> {
    if (top === null) return null
    const topRef = this.#refOf(top)
    if (topRef !== null) return topRef
    const index = this.index
    // Post-order without recursion: a frame is visited twice, children first.
    const stack: Array<{ node: TreeNode, left: ChildRef | null, right: ChildRef | null, state: number }> = [
      { node: resolve(top), left: null, right: null, state: 0 }
    ]
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
          done = this.#refOf(child)
          if (done === null) stack.push({ node: resolve(child), left: null, right: null, state: 0 })
        }
        continue
      }
      frame.right = done
      stack.pop()
      const record = { node, left: frame.left, right: frame.right }
      const len = recordLength(record)
      if (this.#used + len > this.#chunk.length) {
        await this.#flush()
        if (len > this.#chunk.length) this.#chunk = new Uint8Array(len)
      }
      const position = this.#position
      encodeRecord(record, this.#chunk.subarray(this.#used, this.#used + len), this.#tag, position)
      done = { file: index, at: position, len, size: node.size, node }
      if (this.#adopt && node.src === null) this.adopted.push({ node, at: position, len })
      this.#used += len
      this.#position += len
      this.nodes++
      if (this.#pacer.due) {
        await this.#flush()
        await this.#pacer.turn()
      }
    }
    return done
  }

  async #flush (): Promise<void> {
    if (this.#used === 0) return
    await this.#handle.write(this.#chunk.subarray(0, this.#used), this.#position - this.#used)
    this.#chunk = new Uint8Array(CHUNK)
    this.#used = 0
    if (this.#position - this.#synced >= SYNC_EVERY) {
      await this.#handle.sync()
      this.#synced = this.#position
    }
  }

  /**
   * Writes the header (top `top`, `count` entries, Merkle root `root`),
   * syncs, renames the file into place and syncs the directory.
   */
  async publish (top: ChildRef | null, count: number, root: Uint8Array): Promise<WrittenImage> {
    const { fs, directory } = this.#target
    await this.#flush()
    const header: ImageHeader = {
      identity: this.#target.identity,
      seq: this.#target.seq,
      count,
      root,
      kind: this.#target.kind,
      chain: this.#target.chain.map(file => file.header.seq),
      top: top === null ? null : { file: top.file, at: top.at, len: top.len, hash: nodeHashBytes(top.node) },
      end: this.#position
    }
    await this.#handle.write(encodeImageHeader(header), 0)
    await this.#handle.sync()
    await this.#handle.close()
    await fs.rename(this.#tempPath, join(directory, this.#target.name))
    this.#done = true
    await fs.syncDirectory(directory)
    return { header, bytes: this.#position, adopted: this.adopted, nodes: this.nodes }
  }

  /** Closes and removes the temporary file, unless the image was published. */
  async abandon (): Promise<void> {
    if (this.#done) return
    this.#done = true
    await this.#handle.close().catch(() => {})
    await this.#target.fs.unlink(this.#tempPath).catch(() => {})
  }
}

/** Writes and publishes a whole version (see the file header). */
export async function writeImage (spec: ImageSpec): Promise<WrittenImage> {
  const { tree } = spec
  const root = await tree.rootAsync()
  const writer = await ImageWriter.create(spec)
  try {
    const top = await writer.write(tree.top)
    return await writer.publish(top, tree.size, root)
  } finally {
    await writer.abandon()
  }
}
