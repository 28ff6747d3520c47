/**
 * Reading a whole file into shared memory, so that a worker thread can read
 * it (lib/store/snapshot-layout.ts). Copying a 118 MB snapshot into shared
 * memory after reading it took longer than the read (each page of fresh
 * memory is faulted in once more); a second read at the same time as the
 * first runs on another thread of the pool.
 */
import type { FileSystem } from './file-system'

/** Reads the whole file at `path` into a new SharedArrayBuffer. */
export async function readFileShared (fs: FileSystem, path: string): Promise<Uint8Array> {
  const handle = await fs.open(path, 'read')
  try {
    const size = await handle.size()
    const bytes = new Uint8Array(new SharedArrayBuffer(size))
    let length = 0
    while (length < size) {
      const n = await handle.read(bytes.subarray(length), length)
      // The file ended early (it shrank meanwhile): what is there is what is read.
      if (n === 0) break
      length += n
    }
    return length === size ? bytes : bytes.subarray(0, length)
  } finally {
    await handle.close()
  }
}
