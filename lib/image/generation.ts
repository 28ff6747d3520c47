/**
 * `Generation`: the chain of image files that together hold one state — a
 * base, then the deltas written after it, each referring to the files before
 * it by index. Opening one reads only the header block of each file: the
 * tree is read on demand through the stubs of its top node.
 */
import { join } from 'node:path'
import { bytesEqual } from '../bytes'
import type { FileSystem } from '../fs/file-system'
import type { Result } from '../result'
import { IMAGE_HEADER_SIZE, decodeImageHeader } from './format'
import type { ImageHeader } from './format'
import { ImageFile } from './image-file'
import type { FileTable } from './image-file'
import type { NodeCache } from './node-cache'

/** File names of an image: the base's and a delta's, by sequence number. */
export interface ImageNames {
  base: (seq: number) => string
  delta: (seq: number) => string
}

/** An open chain of image files (see the file header). */
export class Generation implements FileTable {
  readonly files: ImageFile[] = []

  constructor (readonly cache: NodeCache) {}

  file (index: number): ImageFile | undefined {
    return this.files[index]
  }

  /** The newest file: its header is the state's. */
  get newest (): ImageFile {
    return this.files[this.files.length - 1]
  }

  /** Bytes of every file. */
  get bytes (): number {
    let n = 0
    for (const f of this.files) n += f.header.end
    return n
  }

  /** A generation of these files and one more, sharing their open files. */
  extended (name: string, handle: ImageFile['handle'], header: ImageHeader): Generation {
    const next = new Generation(this.cache)
    next.files.push(...this.files)
    next.files.push(new ImageFile(name, handle, header, next.files.length, next, this.cache))
    return next
  }

  /** Closes every file. */
  async close (): Promise<void> {
    for (const f of this.files) await f.close().catch(() => {})
  }
}

/**
 * Reads the header block of an image file and checks it names `seq` (from the
 * file name) and the database `identity` (null: any); or says why not.
 */
export async function readImageHeader (fs: FileSystem, path: string, seq: number, identity: Uint8Array | null): Promise<Result<{ header: ImageHeader }>> {
  const handle = await fs.open(path, 'read')
  try {
    const head = new Uint8Array(IMAGE_HEADER_SIZE)
    const read = await handle.read(head, 0)
    return checkImageHeader(head.subarray(0, read), await handle.size(), seq, identity)
  } finally {
    await handle.close()
  }
}

/** Like {@link readImageHeader}, for a header block already read from a file of `size` bytes. */
export function checkImageHeader (head: Uint8Array, size: number, seq: number, identity: Uint8Array | null): Result<{ header: ImageHeader }> {
  const decoded = decodeImageHeader(head)
  if (!decoded.ok) return decoded
  const { header } = decoded
  if (header.seq !== seq) return { ok: false, problem: 'sequence number differs from the file name' }
  if (identity !== null && !bytesEqual(identity, header.identity)) return { ok: false, problem: 'belongs to another database than the log' }
  if (header.end > size) return { ok: false, problem: `shorter than its header says (${header.end} bytes)` }
  return decoded
}

/**
 * Opens the generation whose newest file is `newest` (its header already
 * read): every file its chain names, each checked to be that file with the
 * same chain before it. Says which file is missing or wrong otherwise.
 */
export async function openGeneration (
  fs: FileSystem, directory: string, newest: { name: string, header: ImageHeader }, names: ImageNames, cache: NodeCache
): Promise<Result<{ generation: Generation }>> {
  const chain = newest.header.chain
  const generation = new Generation(cache)
  try {
    for (let i = 0; i <= chain.length; i++) {
      const last = i === chain.length
      const name = last ? newest.name : i === 0 ? names.base(chain[0]) : names.delta(chain[i])
      const path = join(directory, name)
      let header = newest.header
      if (!last) {
        const read = await fs.stat(path) === null
          ? { ok: false as const, problem: 'missing' }
          : await readImageHeader(fs, path, chain[i], newest.header.identity)
        if (!read.ok) {
          await generation.close()
          return { ok: false, problem: `${name}, which it builds on, is unusable (${read.problem})` }
        }
        header = read.header
        if (header.kind !== (i === 0 ? 'base' : 'delta') || header.chain.length !== i || header.chain.some((s, j) => s !== chain[j])) {
          await generation.close()
          return { ok: false, problem: `${name}, which it builds on, belongs to another chain` }
        }
      }
      generation.files.push(new ImageFile(name, await fs.open(path, 'read'), header, i, generation, cache))
    }
    return { ok: true, generation }
  } catch (err) {
    await generation.close()
    throw err
  }
}
