/**
 * The syncs a checkpoint makes, and who waits for them: the log is synced in
 * a task of its own before the rotation (writers queued meanwhile commit
 * between the two), and the snapshot is synced every few MiB as it is
 * written, not all at once at the end. And the one write recovery spares:
 * the segment it continues is rewritten, not also cut first.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import type { CallEvent } from '../util/sim/trace'
import { writeImage } from '../../lib/image/write-image'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { segmentName } from '../../lib/store/file-names'
import { rejectionCodes } from '../util/codes'

/** A gate for the simulated file system's scheduler: while held, every call waits for release. */
class Gate {
  /** Calls that waited. */
  waited = 0
  #held: Promise<void> | null = null
  #release = (): void => {}

  readonly pass = async (): Promise<void> => {
    if (this.#held === null) return
    this.waited++
    await this.#held
  }

  hold (): void {
    this.#held = new Promise(resolve => { this.#release = resolve })
  }

  release (): void {
    this.#held = null
    this.#release()
  }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

const callsOn = (fs: SimulatedFileSystem, name: string): CallEvent[] =>
  fs.trace.filter((e): e is CallEvent => e.type === 'call' && e.path.endsWith(name))

test('checkpoint: the log is synced before the rotation, and a write queued meanwhile commits between the two', async t => {
  const gate = new Gate()
  const fs = new SimulatedFileSystem({ scheduler: gate.pass })
  const db = new MerkleLevel('/db', { fs, checkpointBytes: 0 })
  await db.open()
  for (let i = 0; i < 100; i++) await db.put(`k${String(i).padStart(3, '0')}`, 'v', { sync: false })

  gate.hold()
  const from = fs.trace.length
  const checkpoint = db.checkpoint()
  await turns(3)
  t.is(gate.waited, 1, 'the checkpoint made one file-system call, and it waits')
  let committed = false
  const during = db.put('during', 'x', { sync: false }).then(() => { committed = true })
  await turns(3)
  t.is(committed, false, 'a write queued during that call waits for it')
  gate.release()
  await during
  const result = await checkpoint
  const first = fs.trace[from]
  t.ok(first.type === 'call' && first.op === 'sync' && first.path.endsWith(segmentName(1)), 'that call was a sync of the log')
  t.is(result.entries, 101, 'the rotation came after that write: the snapshot holds it')

  const old = callsOn(fs, segmentName(1)).filter(e => e.op === 'write' || e.op === 'sync' || e.op === 'truncate')
  const created = fs.trace.findIndex(e => e.type === 'call' && e.op === 'open' && e.path.endsWith(segmentName(2)))
  const before = old.filter(e => e.index < created).map(e => e.op)
  t.same(before.slice(-4), ['sync', 'write', 'truncate', 'sync'],
    'old segment: the sync, the write made meanwhile, the rotation cutting the zeros written ahead, and its sync')
  t.is(old.filter(e => e.index > created).length, 0, 'nothing written to the old segment once the next one exists')
  await db.close()

  const reopened = new MerkleLevel('/db', { fs })
  await reopened.open()
  t.is(await reopened.get('during'), 'x', 'the write made during the sync, after reopening')
  await reopened.close()
})

test('checkpoint: an image is synced every 4 MiB as it is written', async t => {
  const fs = new SimulatedFileSystem()
  await fs.mkdir('/s')
  // 9000 entries of 1000-byte values: about 10 MB of records, so two syncs on the way.
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (let i = 0; i < 9000; i++) {
    const key = new Uint8Array(4)
    new DataView(key.buffer).setUint32(0, i)
    tree = tree.put(key, new Uint8Array(1000).fill(i & 0xff))
  }
  await writeImage({ fs, directory: '/s', name: 'snap.mls', tempName: 'snap.tmp', identity: new Uint8Array(64).fill(3), seq: 5, kind: 'base', chain: [], tree })

  const calls = callsOn(fs, 'snap.tmp')
  const covered: number[] = []
  let written = 0
  for (const call of calls) {
    if (call.op === 'write') written += call.length ?? 0
    if (call.op === 'sync') {
      covered.push(written)
      written = 0
    }
  }
  // Records go out in writes of at most 1 MiB; a sync follows the write that passes 4 MiB.
  const onTheWay = covered.slice(0, -1)
  t.is(onTheWay.length, 2, `synced twice on the way (${onTheWay.join(', ')} bytes)`)
  t.ok(onTheWay.every(bytes => bytes >= 4 * 1024 * 1024 && bytes < 5 * 1024 * 1024), 'each after 4 to 5 MiB written')
  t.is(written, 0, 'nothing written after the last sync')
  t.is(calls.filter(e => e.op === 'write').pop()?.offset, 0, 'the header block is the last write, before the last sync')
  const renamed = fs.trace.findIndex(e => e.type === 'call' && e.op === 'rename')
  const lastSync = calls.filter(e => e.op === 'sync').pop()
  t.ok(lastSync !== undefined && lastSync.index < renamed, 'the last sync precedes the rename')
})

// 6,000 entries of 1,000-byte values: their snapshot passes 4 MiB, so it is synced on the way.
async function fillPastFourMiB (db: MerkleLevel<string, string>): Promise<void> {
  for (let i = 0; i < 6000; i += 500) {
    const ops = []
    for (let j = i; j < i + 500; j++) ops.push({ type: 'put' as const, key: `k${String(j).padStart(5, '0')}`, value: String(j % 10).repeat(1000) })
    await db.batch(ops, { sync: false })
  }
}

const isSnapshotTemp = (path: string): boolean => path.includes('snapshot-') && path.includes('.tmp-')

test('checkpoint: a failed sync in the middle of a snapshot fails the checkpoint, leaves no temp file, and disables writes', async t => {
  // A dry run finds which sync, counted from the checkpoint, is the snapshot's first.
  const dry = new SimulatedFileSystem()
  const probe = new MerkleLevel('/db', { fs: dry, checkpointBytes: 0 })
  await probe.open()
  await fillPastFourMiB(probe)
  const from = dry.trace.length
  await probe.checkpoint()
  await probe.close()
  const syncs = dry.trace.slice(from).filter((e): e is CallEvent => e.type === 'call' && (e.op === 'sync' || e.op === 'syncDirectory'))
  const at = syncs.findIndex(e => isSnapshotTemp(e.path)) + 1
  const last = syncs.filter(e => isSnapshotTemp(e.path)).length
  t.ok(at >= 1 && last >= 2, `the snapshot is synced on the way (sync ${at} of the checkpoint is its first, of ${last})`)

  const fs = new SimulatedFileSystem()
  const db = new MerkleLevel('/db', { fs, checkpointBytes: 0 })
  await db.open()
  await fillPastFourMiB(db)
  const root = Buffer.from(await db.root()).toString('hex')
  fs.inject({ kind: 'fsync-eio', at })
  const error = await db.checkpoint().then(() => null, (err: Error & { code?: string }) => err)
  t.is(error?.code, 'LEVEL_IO_ERROR', 'the checkpoint rejects with LEVEL_IO_ERROR')
  const failed = fs.trace[fs.faultFiredAt ?? -1] as CallEvent | undefined
  t.ok(failed !== undefined && isSnapshotTemp(failed.path), 'the sync that failed was the snapshot\'s, on the way')
  fs.inject(null)
  t.same((await fs.readdir('/db')).filter(name => name.includes('.tmp-')), [], 'no temporary file is left')
  const refused = await db.put('after', 'x').then(() => null, (err: Error & { code?: string }) => err)
  t.is(refused?.code, 'LEVEL_IO_ERROR', 'writes are refused until reopened')
  t.same(await rejectionCodes(db.close()), ['LEVEL_DATABASE_NOT_CLOSED', 'LEVEL_IO_ERROR'], 'close releases the database and reports the earlier failure')

  const reopened = new MerkleLevel('/db', { fs })
  await reopened.open()
  t.is(Buffer.from(await reopened.root()).toString('hex'), root, 'everything is there after reopening: the same root')
  t.is(await reopened.get('after'), undefined, 'and not the refused write')
  await reopened.close()
})

test('recovery: the segment to continue is rewritten from its valid bytes, not also cut and synced first', async t => {
  const fs = new SimulatedFileSystem()
  const db = new MerkleLevel('/db', { fs })
  await db.open()
  await db.put('a', '1')
  await db.close()
  // A crash in the middle of an append: half a frame, then the zeros written ahead.
  const wal = await fs.open(`/db/${segmentName(1)}`, 'readwrite')
  const end = await wal.size()
  await wal.write(Uint8Array.of(40, 0, 0, 0, 1, 2, 3, ...new Array<number>(93).fill(0)), end)
  await wal.sync()
  await wal.close()
  const from = fs.trace.length
  const reopened = new MerkleLevel('/db', { fs })
  await reopened.open()
  t.is(reopened.recovery?.bytesTruncated, 100, 'the tail is reported as cut')
  const calls = fs.trace.slice(from).filter((e): e is CallEvent => e.type === 'call')
  t.is(calls.filter(e => e.op === 'truncate' && e.path.endsWith(segmentName(1))).length, 0, 'no truncate of the segment itself')
  t.is(calls.filter(e => e.op === 'rename' && (e.to ?? '').endsWith(segmentName(1))).length, 1, 'it is replaced by its rewritten copy')
  t.is(await reopened.get('a'), '1')
  await reopened.close()
})
