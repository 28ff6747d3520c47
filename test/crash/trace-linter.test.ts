/**
 * The trace linter fires on each rule it checks (hand-made traces of a
 * misbehaving writer) and passes the traces of real databases.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { encodeRecord, recordSize } from '../../lib/store/batch-record'
import { FRAME_HEADER_SIZE } from '../../lib/wal/format'
import { lintTrace } from '../util/crash/trace-linter'
import { runWorkload } from '../util/crash/workload'
import { rejectionCode } from '../util/codes'

const DIR = '/db'
const SEGMENT = `${DIR}/wal-00000000000000000001.log`
const SNAPSHOT = `${DIR}/snapshot-00000000000000000001.mls`

// A frame as the engine writes it (the checksums do not matter to the linter).
function frame (seq: number): Uint8Array {
  const ops = [{ type: 'put' as const, key: Uint8Array.of(1), value: Uint8Array.of(seq) }]
  const size = recordSize(ops)
  const buf = new Uint8Array(FRAME_HEADER_SIZE + size)
  new DataView(buf.buffer).setUint32(0, size, true)
  encodeRecord(buf, FRAME_HEADER_SIZE, seq, ops)
  return buf
}

async function withSegment (): Promise<{ fs: SimulatedFileSystem, write: (seq: number) => Promise<void>, sync: () => Promise<void> }> {
  const fs = new SimulatedFileSystem()
  await fs.mkdir(DIR)
  fs.mark('open-start')
  const handle = await fs.open(SEGMENT, 'create')
  await handle.write(new Uint8Array(128), 0)
  await handle.sync()
  await fs.syncDirectory(DIR)
  let end = 128
  return {
    fs,
    write: async (seq: number) => { const f = frame(seq); await handle.write(f, end); end += f.length },
    sync: async () => await handle.sync()
  }
}

const rules = (problems: string[]): string[] => [...new Set(problems.map(p => p.split(' ')[0]))].sort()

test('trace linter: a correct synced commit passes', async t => {
  const { fs, write, sync } = await withSegment()
  fs.mark('issue', 1, true)
  await write(1)
  await sync()
  fs.mark('ack', 1, true)
  t.same(lintTrace(fs.trace, DIR), [])
})

test('trace linter: acknowledging before the write or before the sync', async t => {
  const { fs, write, sync } = await withSegment()
  fs.mark('ack', 1, false)
  await write(1)
  fs.mark('ack', 1, true)
  await sync()
  t.same(rules(lintTrace(fs.trace, DIR)), ['sync-before-ack', 'write-before-ack'])
})

test('trace linter: a synced batch in a segment whose name is not durable', async t => {
  const fs = new SimulatedFileSystem()
  await fs.mkdir(DIR)
  const handle = await fs.open(SEGMENT, 'create')
  await handle.write(frame(1), 128)
  await handle.sync()
  fs.mark('ack', 1, true)
  t.same(rules(lintTrace(fs.trace, DIR)), ['sync-before-ack'])
})

test('trace linter: using a file after its sync failed, retrying a directory sync', async t => {
  const { fs, write, sync } = await withSegment()
  await write(1)
  fs.inject({ kind: 'fsync-eio', at: 1 })
  t.is(await rejectionCode(sync()), 'EIO', 'the injected sync failure')
  await write(2)
  fs.inject({ kind: 'fsync-eio', at: 1 })
  t.is(await rejectionCode(fs.syncDirectory(DIR)), 'EIO', 'the injected directory sync failure')
  await fs.syncDirectory(DIR)
  const problems = lintTrace(fs.trace, DIR)
  t.same(rules(problems), ['no-use-after-failed-sync'])
  t.equal(problems.length, 2, 'the write and the directory sync')
  fs.mark('open-start')
  await write(3)
  t.equal(lintTrace(fs.trace, DIR).length, 2, 'a new instance may use the file again')
})

test('trace linter: retiring the log before the snapshot rename is durable', async t => {
  const { fs } = await withSegment()
  const temp = await fs.open(`${SNAPSHOT}.tmp-0123456789abcdef`, 'create')
  await temp.sync()
  await temp.close()
  await fs.rename(`${SNAPSHOT}.tmp-0123456789abcdef`, SNAPSHOT)
  await fs.unlink(SEGMENT)
  await fs.syncDirectory(DIR)
  t.same(rules(lintTrace(fs.trace, DIR)), ['publish-before-retire'])
})

test('trace linter: claims of durability with un-synced names or log data', async t => {
  const { fs, write } = await withSegment()
  await write(1)
  const other = await fs.open(`${DIR}/wal-00000000000000000002.log`, 'create')
  await other.close()
  fs.mark('durable', 1)
  const problems = lintTrace(fs.trace, DIR)
  t.same(rules(problems), ['durable-claims'])
  t.equal(problems.length, 2, 'unsynced log data, and the name of the new segment')
})

test('trace linter: zeros written ahead of the frames are not log data a claim of durability needs', async t => {
  const { fs, write, sync } = await withSegment()
  await write(1)
  await sync()
  const handle = await fs.open(SEGMENT, 'readwrite')
  await handle.write(new Uint8Array(4096), 4096)
  fs.mark('durable', 1)
  t.same(lintTrace(fs.trace, DIR), [], 'unsynced zeros after the frames')
  await handle.write(Uint8Array.of(0, 0, 1), 8192)
  fs.mark('durable', 1)
  t.same(rules(lintTrace(fs.trace, DIR)), ['durable-claims'], 'one byte that is not zero is data')
})

test('trace linter: deleting or renaming files that are not ours', async t => {
  const { fs } = await withSegment()
  for (const name of ['notes.txt', 'other']) {
    const h = await fs.open(`${DIR}/${name}`, 'create')
    await h.close()
  }
  await fs.unlink(`${DIR}/notes.txt`)
  await fs.rename(`${DIR}/other`, `${DIR}/wal-00000000000000000009.log`)
  await fs.rename(SEGMENT, `${DIR}/elsewhere`)
  t.equal(lintTrace(fs.trace, DIR).filter(p => p.startsWith('own-names-only')).length, 3)
})

test('trace linter: the traces of real workloads are clean', async t => {
  for (const sync of ['sync', 'nosync', 'mixed'] as const) {
    const run = await runWorkload({ name: 'lint', steps: ['put', 'group', 'checkpoint', 'batch', 'reopen', 'clear', 'big', 'del'], sync, checkpointBytes: 300 })
    t.same(lintTrace(run.fs.trace, DIR), [], `${sync}: ${run.fs.trace.length} events, ${run.batches.length} batches`)
  }
})
