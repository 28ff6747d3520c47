/**
 * Publishes a snapshot: stream the entries to a uniquely named temporary
 * file (synced every few MiB on the way), sync it, rename it over the final
 * name, sync the directory. Until the rename the old state of the directory
 * is untouched; after the directory sync the new snapshot is durable. A
 * failure removes the temporary file.
 */
import { varintLength, writeVarint } from '../../lib/bytes'
import { crc32c } from '../../lib/checksum'
import type { FileSystem } from '../../lib/fs/file-system'
import { Pacer } from '../../lib/turn'
import { SNAPSHOT_HEADER_SIZE, encodeFooter, encodeSnapshotHeader } from '../../lib/snapshot/format'
import type { SnapshotHeader } from '../../lib/snapshot/format'

// Small enough that encoding one chunk never holds up concurrent writers for long.
const CHUNK_SIZE = 64 * 1024

// The longest varint (a length below 2^32).
const MAX_VARINT = 5

// Written bytes after which the file is synced on the way, instead of all at once at the end:
// on ext4 a log sync waits for the journal, and so for whatever snapshot data is unflushed
// (docs/PERFORMANCE.md, "Measured decisions").
const SYNC_EVERY = 4 * 1024 * 1024

/** Where to publish, and how. */
export interface PublishTarget {
  fs: FileSystem
  directory: string
  /** Full path of the temporary file (must not exist). */
  tempPath: string
  /** Full path of the published snapshot. */
  finalPath: string
}

/** What publishing wrote. */
export interface PublishResult {
  bytes: number
  count: number
}

/**
 * Writes `entries` (strictly ascending keys; `header.count` of them) as a
 * snapshot and publishes it atomically.
 */
export async function publishSnapshot (
  target: PublishTarget,
  header: SnapshotHeader,
  entries: Iterable<readonly [Uint8Array, Uint8Array]>
): Promise<PublishResult> {
  const { fs } = target
  const handle = await fs.open(target.tempPath, 'create')
  let published = false
  try {
    await handle.write(encodeSnapshotHeader(header), 0)
    let position = SNAPSHOT_HEADER_SIZE
    let bodyCrc = 0
    let count = 0
    let chunk = new Uint8Array(CHUNK_SIZE)
    let used = 0
    let unsynced = 0
    const pacer = new Pacer()
    const emit = async (bytes: Uint8Array): Promise<void> => {
      bodyCrc = crc32c(bytes, bodyCrc)
      await handle.write(bytes, position)
      position += bytes.length
      unsynced += bytes.length
      if (unsynced >= SYNC_EVERY) {
        await handle.sync()
        unsynced = 0
      }
      // The write above may have completed synchronously: let writers run now and then.
      if (pacer.due) await pacer.turn()
    }
    const flush = async (): Promise<void> => {
      if (used === 0) return
      await emit(chunk.subarray(0, used))
      // The buffer may still be referenced by the write in some implementations: use a new one.
      chunk = new Uint8Array(CHUNK_SIZE)
      used = 0
    }
    // Bytes longer than a chunk are written from where they are, a chunk at a time, not copied.
    const put = async (bytes: Uint8Array): Promise<void> => {
      if (used + bytes.length <= chunk.length) {
        chunk.set(bytes, used)
        used += bytes.length
        return
      }
      await flush()
      for (let at = 0; at < bytes.length; at += CHUNK_SIZE) await emit(bytes.subarray(at, at + CHUNK_SIZE))
    }
    for (const [key, value] of entries) {
      const need = varintLength(key.length) + key.length + varintLength(value.length) + value.length
      if (used + need > chunk.length) await flush()
      if (need <= chunk.length) {
        used = writeVarint(chunk, used, key.length)
        chunk.set(key, used)
        used += key.length
        used = writeVarint(chunk, used, value.length)
        chunk.set(value, used)
        used += value.length
      } else {
        used = writeVarint(chunk, used, key.length)
        await put(key)
        if (used + MAX_VARINT > chunk.length) await flush()
        used = writeVarint(chunk, used, value.length)
        await put(value)
      }
      count++
    }
    await flush()
    if (count !== header.count) throw new Error(`snapshot entry count ${count} does not match header ${header.count}`)
    await handle.write(encodeFooter(count, bodyCrc), position)
    position += 24
    await handle.sync()
    await handle.close()
    await fs.rename(target.tempPath, target.finalPath)
    published = true
    await fs.syncDirectory(target.directory)
    return { bytes: position, count }
  } catch (err) {
    if (!published) {
      await handle.close().catch(() => {})
      await fs.unlink(target.tempPath).catch(() => {})
    }
    throw err
  }
}
