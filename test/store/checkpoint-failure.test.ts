/**
 * A checkpoint that fails leaves a trace: the database emits
 * `checkpoint-failed`, `db.lastCheckpoint` says when, why and what was kept,
 * and CHECKPOINT-FAILED in the directory records it for `merkle-level info`
 * until a checkpoint succeeds. On the simulated disk, with every write to a
 * snapshot's temporary file failing with ENOSPC while the fault is armed.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import type { CheckpointFailure, CheckpointStatus } from '../../index'
import type { FileHandle, FileSystem, OpenMode } from '../../lib/fs/file-system'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { errnoError } from '../util/sim/faults'
import { readCheckpointFailure } from '../../lib/store/checkpoint-status'
import { CHECKPOINT_FAILED_NAME } from '../../lib/store/file-names'

/** `fs`, whose writes to snapshot temporary files fail with ENOSPC while `full` is set. */
function fullForSnapshots (fs: SimulatedFileSystem): FileSystem & { full: boolean } {
  const state = { full: false }
  const open = async (path: string, mode: OpenMode): Promise<FileHandle> => {
    const handle = await fs.open(path, mode)
    if (!path.includes('.mls.tmp-')) return handle
    return {
      read: async (buffer, position) => await handle.read(buffer, position),
      readSync: (buffer, position) => handle.readSync(buffer, position),
      write: async (buffer, position) => {
        if (state.full) throw errnoError('ENOSPC', 'write', path)
        await handle.write(buffer, position)
      },
      sync: async () => await handle.sync(),
      truncate: async size => await handle.truncate(size),
      size: async () => await handle.size(),
      close: async () => await handle.close()
    }
  }
  return new Proxy(fs, {
    get (target, name) {
      if (name === 'open') return open
      if (name === 'full') return state.full
      const value = Reflect.get(target, name, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
    set (target, name, value) {
      if (name !== 'full') return false
      state.full = value as boolean
      return true
    }
  }) as unknown as FileSystem & { full: boolean }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

const causeOf = (err: Error): unknown => (err as { cause?: { code?: unknown } }).cause?.code

test('checkpoint failure: a background checkpoint that fails is emitted, exposed and recorded', async t => {
  const sim = new SimulatedFileSystem()
  const fs = fullForSnapshots(sim)
  const db = new MerkleLevel('/db', { fs, checkpointBytes: 4096 })
  const events: CheckpointStatus[] = []
  db.on('checkpoint-failed', (status: CheckpointStatus) => events.push(status))
  await db.open()
  t.is(db.supports.events['checkpoint-failed'], true, 'the manifest lists the event')
  t.is(db.lastCheckpoint, null, 'no checkpoint yet')

  fs.full = true
  let i = 0
  // Writes until the log passes checkpointBytes and the background checkpoint has failed;
  // after each write, the event loop turns until a checkpoint it started has ended.
  while (db.lastCheckpoint === null && i < 1000) {
    await db.put(`k${String(i++).padStart(4, '0')}`, 'x'.repeat(100))
    await turns(20)
  }
  const seqAtFailure = i

  t.is(events.length, 1, 'one checkpoint-failed event')
  const failure = events[0] as CheckpointFailure
  t.is(failure, db.lastCheckpoint, 'the event carries what db.lastCheckpoint says')
  t.is(failure.ok, false)
  t.is(failure.background, true)
  t.is((failure.error as { code?: unknown }).code, 'LEVEL_IO_ERROR')
  t.is(causeOf(failure.error), 'ENOSPC')
  t.is(failure.snapshotSeq, 0, 'kept: no snapshot, the whole log')
  t.is(failure.seq, seqAtFailure, 'kept: every batch up to the last committed')
  t.is(failure.writesDisabled, false)
  t.is(typeof failure.time, 'number')

  const recorded = await readCheckpointFailure(sim, '/db')
  t.same(recorded, {
    time: new Date(failure.time).toISOString(),
    background: true,
    code: 'LEVEL_IO_ERROR',
    cause: 'ENOSPC',
    message: recorded?.message,
    snapshotSeq: 0,
    seq: seqAtFailure,
    writesDisabled: false
  }, 'CHECKPOINT-FAILED records it')
  t.ok(recorded?.message.includes('/db/snapshot-'), 'the message names the file')

  // Writes go on; once the disk has room, a checkpoint succeeds and the record goes.
  await db.put('after', 'y')
  fs.full = false
  const result = await db.checkpoint()
  t.is(result.seq, seqAtFailure + 1)
  const status = db.lastCheckpoint
  t.same(status?.ok === true ? [status.background, status.result] : null, [false, result], 'lastCheckpoint: the success')
  t.is(await readCheckpointFailure(sim, '/db'), null, 'the record is gone')
  t.notOk((await sim.readdir('/db')).includes(CHECKPOINT_FAILED_NAME))
  t.is(events.length, 1, 'no event for a success')
  await db.close()

  const reopened = new MerkleLevel('/db', { fs: sim })
  await reopened.open()
  t.is((await reopened.keys().all()).length, seqAtFailure + 1, 'nothing lost')
  await reopened.close()
})

test('checkpoint failure: db.checkpoint() that fails rejects, and is exposed and recorded too', async t => {
  const sim = new SimulatedFileSystem()
  const fs = fullForSnapshots(sim)
  const db = new MerkleLevel('/db', { fs, checkpointBytes: 0 })
  const events: CheckpointStatus[] = []
  db.on('checkpoint-failed', (status: CheckpointStatus) => events.push(status))
  await db.open()
  await db.put('a', '1')
  fs.full = true
  let code: unknown = 'accepted'
  try {
    await db.checkpoint()
  } catch (err) {
    code = (err as { code?: unknown }).code
  }
  t.is(code, 'LEVEL_IO_ERROR')
  t.is(events.length, 1)
  t.same(events.map(e => [e.ok, e.background]), [[false, false]])
  t.is(db.lastCheckpoint, events[0])
  t.same((await readCheckpointFailure(sim, '/db'))?.cause, 'ENOSPC')
  await db.close()

  // Another instance's successful checkpoint removes the record.
  const next = new MerkleLevel('/db', { fs: sim, checkpointBytes: 0 })
  await next.open()
  await next.put('b', '2')
  await next.checkpoint()
  t.is(await readCheckpointFailure(sim, '/db'), null)
  await next.close()
})

test('checkpoint failure: an unreadable record is reported as such', async t => {
  const sim = new SimulatedFileSystem()
  await sim.mkdir('/db')
  const handle = await sim.open(`/db/${CHECKPOINT_FAILED_NAME}`, 'create')
  await handle.write(new TextEncoder().encode('not json'), 0)
  await handle.close()
  t.is((await readCheckpointFailure(sim, '/db'))?.code, 'unreadable')
})
