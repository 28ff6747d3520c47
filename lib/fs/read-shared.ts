/**
 * Reading a whole file into shared memory, so that a worker thread can read
 * it (lib/store/snapshot-layout.ts). A second read beside the first is
 * cheaper than copying a read buffer into shared memory (docs/PERFORMANCE.md,
 * "Measured decisions").
 */
import { MAX_WHOLE_FILE, cannotReadWhole } from './file-system'
import type { FileSystem } from './file-system'

/**
 * Reads the whole file at `path` into a new SharedArrayBuffer, if `wanted`
 * says so when shown the file's first `headLength` bytes (fewer if the file
 * is shorter); null if not. A file no buffer can hold is refused with a
 * coded error naming it.
 */
export async function readFileShared (
  fs: FileSystem, path: string, headLength: number, wanted: (head: Uint8Array) => boolean
): Promise<Uint8Array | null> {
  const handle = await fs.open(path, 'read')
  try {
    const size = await handle.size()
    const head = new Uint8Array(Math.min(size, headLength))
    if (!wanted(head.subarray(0, await handle.read(head, 0)))) return null
    const bytes = sharedBuffer(path, size)
    const length = await handle.read(bytes, 0)
    return length === size ? bytes : bytes.subarray(0, length)
  } finally {
    await handle.close()
  }
}

function sharedBuffer (path: string, size: number): Uint8Array {
  if (size > MAX_WHOLE_FILE) throw cannotReadWhole(path, size)
  try {
    return new Uint8Array(new SharedArrayBuffer(size))
  } catch (err) {
    throw cannotReadWhole(path, size, err)
  }
}
