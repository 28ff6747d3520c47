/**
 * When the index becomes unreadable while a checkpoint's rotation is under
 * way (an I/O error while a reader applies buffered writes to the tree), the
 * checkpoint is refused with LEVEL_IO_ERROR instead of waiting forever,
 * close() releases the lock, and the directory opens again in the same
 * process with every acknowledged write.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import type { FileHandle, FileSystem, OpenMode } from '../../lib/fs/file-system'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { rejectionCode } from '../util/codes'

/** `fs`, which calls `hooks.onLogTruncate` (once) when a log segment is about to be truncated. */
function hooked (fs: SimulatedFileSystem, hooks: { onLogTruncate: (() => void) | null }): FileSystem {
  const open = async (path: string, mode: OpenMode): Promise<FileHandle> => {
    const handle = await fs.open(path, mode)
    if (!path.endsWith('.log')) return handle
    return {
      read: async (buffer, position) => await handle.read(buffer, position),
      readSync: (buffer, position) => handle.readSync(buffer, position),
      write: async (buffer, position) => await handle.write(buffer, position),
      sync: async () => await handle.sync(),
      truncate: async size => {
        const hook = hooks.onLogTruncate
        hooks.onLogTruncate = null
        hook?.()
        await handle.truncate(size)
      },
      size: async () => await handle.size(),
      close: async () => await handle.close()
    }
  }
  return new Proxy(fs, {
    get (target, name) {
      if (name === 'open') return open
      const value = Reflect.get(target, name, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

test('an index broken during a rotation: the checkpoint is refused, close releases the lock, the data reopens', async t => {
  const sim = new SimulatedFileSystem()
  const hooks: { onLogTruncate: (() => void) | null } = { onLogTruncate: null }
  const fs = hooked(sim, hooks)
  const db = new MerkleLevel<string, string>('/db', { fs, checkpointBytes: 1 << 30 })
  await db.open()
  await db.batch(Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(3, '0')}`, value: `v${i}` })))
  await db.checkpoint()
  await db.put('k150', 'changed')
  let readerFailed = false
  // While the rotation finishes the old segment, a reader applies the buffered put, and the
  // image read that needs fails.
  hooks.onLogTruncate = () => {
    sim.inject({ kind: 'eio-once', at: 1 })
    try {
      db.iterator()
    } catch {
      readerFailed = true
    }
  }
  t.equal(await rejectionCode(db.checkpoint()), 'LEVEL_IO_ERROR', 'the checkpoint is refused, not left waiting')
  t.ok(readerFailed, 'the reader met the failed read')
  await db.close().catch(() => {})
  const reopened = new MerkleLevel<string, string>('/db', { fs: sim })
  await reopened.open()
  t.equal(await reopened.get('k150'), 'changed', 'the acknowledged write is there')
  t.equal((await reopened.keys().all()).length, 300)
  await reopened.close()
})
