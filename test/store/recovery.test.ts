/**
 * Recovery on real directories: a torn tail at every byte offset opens to
 * the right prefix; damage followed by valid data, gaps, foreign segments
 * and damaged snapshots are refused with LEVEL_CORRUPTION and the files are
 * left exactly as they were; orphaned temp files are removed.
 */
import test from 'tape'
import { join } from 'node:path'
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tempLocation } from '../util/temp'
import { causeCode, dump, openBytes, rootOf } from '../util/db'
import { toHex } from '../../lib/bytes'
import { readSegment } from '../../lib/wal/reader'
import type { SegmentRead } from '../../lib/wal/reader'
import { WalWriter } from '../../lib/wal/writer'
import { FRAME_HEADER_SIZE } from '../../lib/wal/format'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { planRecovery } from '../../lib/store/recovery'
import { DEFAULT_PARAMS } from '../../lib/tree/params'

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs)

// Batch i puts key [i] and [i, 1], and deletes key [i - 1, 1]: a partial batch would show.
function batch (i: number): Array<{ type: 'put' | 'del', key: Uint8Array, value?: Uint8Array }> {
  const ops: Array<{ type: 'put' | 'del', key: Uint8Array, value?: Uint8Array }> = [
    { type: 'put', key: b(i), value: b(i, i) },
    { type: 'put', key: b(i, 1), value: b(i) }
  ]
  if (i > 1) ops.push({ type: 'del', key: b(i - 1, 1) })
  return ops
}

function expected (k: number): Array<[Uint8Array, Uint8Array]> {
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 1; i <= k; i++) entries.push([b(i), b(i, i)])
  if (k >= 1) entries.push([b(k, 1), b(k)])
  return entries.sort((x, y) => Buffer.compare(x[0], y[0]))
}

async function makeDb (batches: number): Promise<string> {
  const location = tempLocation('recovery')
  const db = await openBytes(location, { checkpointBytes: 0 })
  for (let i = 1; i <= batches; i++) await db.batch(batch(i) as never)
  await db.close()
  return location
}

// The first log segment of the database at `location`: its path, its bytes and what reading them
// gives (a test that needs a readable segment stops here when it is not).
function firstSegment (location: string): { path: string, bytes: Buffer, read: Extract<SegmentRead, { ok: true }> } {
  const path = join(location, 'wal-00000000000000000001.log')
  const bytes = readFileSync(path)
  const read = readSegment(bytes)
  if (!read.ok) throw new Error('unreadable')
  return { path, bytes, read }
}

function snapshotFiles (dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name)).toString('hex')
  return files
}

async function expectCorruption (t: test.Test, location: string, what: string): Promise<void> {
  const before = snapshotFiles(location)
  try {
    const db = await openBytes(location)
    await db.close()
    t.fail(`${what}: opened`)
  } catch (err) {
    t.is((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN', `${what}: open fails`)
    t.is(causeCode(err), 'LEVEL_CORRUPTION', `${what}: cause is LEVEL_CORRUPTION`)
  }
  t.same(snapshotFiles(location), before, `${what}: files left as they were`)
}

test('recovery: a torn tail at every byte offset opens to the last complete batch', async t => {
  const source = await makeDb(4)
  const { bytes, read } = firstSegment(source)
  const ends = read.frames.map(f => f.offset + FRAME_HEADER_SIZE + f.payload.length)
  let checked = 0
  const wrong: string[] = []
  for (let cut = 128; cut < bytes.length; cut++) {
    const location = tempLocation('torn')
    cpSync(source, location, { recursive: true })
    writeFileSync(join(location, 'wal-00000000000000000001.log'), bytes.subarray(0, cut))
    const k = ends.filter(e => e <= cut).length
    const db = await openBytes(location)
    const got = await dump(db)
    const want = expected(k).map(([x, y]) => `${toHex(x)}=${toHex(y)}`)
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`cut ${cut}: wrong contents`)
    if (toHex(await db.root()) !== rootOf(expected(k))) wrong.push(`cut ${cut}: wrong root`)
    const truncated = cut - (k === 0 ? 128 : ends[k - 1])
    if (db.recovery?.bytesTruncated !== truncated) wrong.push(`cut ${cut}: reported ${db.recovery?.bytesTruncated} bytes truncated, expected ${truncated}`)
    // A new write after recovery survives a clean reopen.
    await db.put(b(200), b(1))
    await db.close()
    const again = await openBytes(location)
    if ((await again.get(b(200))) === undefined || (await dump(again)).length !== want.length + 1) wrong.push(`cut ${cut}: write after recovery lost`)
    await again.close()
    checked++
  }
  t.same(wrong, [], `${checked} cut points recovered to the right prefix and root`)
})

test('recovery: a flipped byte followed by valid records is corruption, files untouched', async t => {
  const source = await makeDb(4)
  const name = 'wal-00000000000000000001.log'
  const bytes = readFileSync(join(source, name))
  for (const at of [128 + 3, 128 + FRAME_HEADER_SIZE + 2, 160]) {
    const location = tempLocation('flip')
    cpSync(source, location, { recursive: true })
    const bad = Buffer.from(bytes)
    bad[at] ^= 0x20
    writeFileSync(join(location, name), bad)
    await expectCorruption(t, location, `flip at ${at}`)
  }
})

test('recovery: a damaged snapshot with its log retired is corruption', async t => {
  const location = tempLocation('snapdamage')
  const db = await openBytes(location, { checkpointBytes: 0 })
  for (let i = 1; i <= 3; i++) await db.batch(batch(i) as never)
  const cp = await db.checkpoint()
  t.same(cp.removed, ['wal-00000000000000000001.log'])
  await db.batch(batch(4) as never)
  await db.close()
  const snap = join(location, cp.file as string)
  const bytes = readFileSync(snap)
  bytes[130] ^= 1
  writeFileSync(snap, bytes)
  await expectCorruption(t, location, 'damaged snapshot')
})

test('recovery: a damaged newest snapshot falls back to an older one when the log still covers it', async t => {
  const location = tempLocation('fallback')
  const db = await openBytes(location, { checkpointBytes: 0 })
  for (let i = 1; i <= 3; i++) await db.batch(batch(i) as never)
  await db.close()
  // Keep the whole log, add a damaged snapshot of a later state beside it.
  const other = tempLocation('fallback-src')
  cpSync(location, other, { recursive: true })
  const odb = await openBytes(other, { checkpointBytes: 0 })
  const cp = await odb.checkpoint()
  await odb.close()
  const snapBytes = readFileSync(join(other, cp.file as string))
  snapBytes[150] ^= 1
  writeFileSync(join(location, cp.file as string), snapBytes)
  const reopened = await openBytes(location)
  t.same(await dump(reopened), expected(3).map(([x, y]) => `${toHex(x)}=${toHex(y)}`))
  t.is(reopened.recovery?.snapshotsSkipped.length, 1)
  t.is(reopened.recovery?.snapshotsSkipped[0].file, cp.file)
  t.ok(reopened.recovery?.filesSetAside[0]?.startsWith(`${cp.file as string}.corrupt-`), 'damaged snapshot set aside')
  await reopened.close()
})

test('recovery: a sequence gap between segments is corruption', async t => {
  const location = await makeDb(3)
  const { read: first } = firstSegment(location)
  const writer = await WalWriter.create(nodeFileSystem, join(location, 'wal-00000000000000000002.log'),
    { identity: first.header.identity, segment: 2, firstSeq: 10, salt: 5 })
  await writer.close()
  await expectCorruption(t, location, 'gap')
})

test('recovery: a segment of another database is corruption', async t => {
  const a = await makeDb(2)
  const other = await makeDb(2)
  cpSync(join(other, 'wal-00000000000000000001.log'), join(a, 'wal-00000000000000000002.log'))
  await expectCorruption(t, a, 'foreign segment')
})

test('recovery: orphaned temp files are removed, unknown files are left and reported', async t => {
  const location = await makeDb(2)
  writeFileSync(join(location, 'snapshot-00000000000000000002.mls.tmp-0123456789abcdef'), 'partial')
  writeFileSync(join(location, 'notes.txt'), 'mine')
  const db = await openBytes(location)
  t.same(db.recovery?.filesRemoved, ['snapshot-00000000000000000002.mls.tmp-0123456789abcdef'])
  t.same(db.recovery?.unknownFiles, ['notes.txt'])
  t.is(db.recovery?.recordsReplayed, 2)
  t.is(db.recovery?.seq, 2)
  await db.close()
  t.same(readdirSync(location).sort(), ['notes.txt', 'wal-00000000000000000001.log'])
})

test('recovery: a segment whose header never became durable is dropped', async t => {
  const location = await makeDb(2)
  writeFileSync(join(location, 'wal-00000000000000000002.log'), Buffer.alloc(40))
  const db = await openBytes(location)
  t.is((await dump(db)).length, 3)
  t.ok(db.recovery?.filesRemoved.includes('wal-00000000000000000002.log'))
  await db.close()
})

test('recovery: pointInTime mode keeps the valid prefix and sets the rest aside', async t => {
  const source = await makeDb(4)
  const name = 'wal-00000000000000000001.log'
  const { bytes, read } = firstSegment(source)
  const secondFrame = read.frames[1].offset
  const bad = Buffer.from(bytes)
  bad[secondFrame + 14] ^= 0x01
  writeFileSync(join(source, name), bad)
  await expectCorruption(t, source, 'strict mode first')
  const db = await openBytes(source, { recovery: 'pointInTime' })
  t.same(await dump(db), expected(1).map(([x, y]) => `${toHex(x)}=${toHex(y)}`))
  t.is(db.recovery?.filesSetAside.length, 1)
  await db.put(b(9), b(9))
  await db.close()
  const again = await openBytes(source)
  t.is((await dump(again)).length, 3, 'strict reopen after pointInTime recovery sees the prefix and the new write')
  await again.close()
  mkdirSync(join(source, 'x'), { recursive: true })
})

test('recovery: zeros after the last frame (space written ahead, left by a crash) are cut and reported; a clean close leaves none', async t => {
  const location = await makeDb(4)
  const wal = join(location, 'wal-00000000000000000001.log')
  const clean = readFileSync(wal)
  const read = readSegment(clean)
  t.ok(read.ok && read.damage === null && read.validEnd === clean.length, 'after a clean close the segment ends at its last frame')
  writeFileSync(wal, Buffer.concat([clean, Buffer.alloc(70_000)]))
  const db = await openBytes(location)
  t.is(db.recovery?.bytesTruncated, 70_000, 'the zeros are reported as cut')
  t.same(await dump(db), expected(4).map(([k, v]) => `${toHex(k)}=${toHex(v)}`), 'all four batches')
  t.is(toHex(await db.root()), rootOf(expected(4)))
  await db.close()
  t.same(readFileSync(wal), clean, 'the segment is as a clean close left it')
})

test('recovery: zeros after an earlier segment\'s last frame are unused space; records missing behind them are a gap', async t => {
  const location = await makeDb(3)
  const { path: firstPath, bytes, read: first } = firstSegment(location)
  const next = await WalWriter.create(nodeFileSystem, join(location, 'wal-00000000000000000002.log'),
    { identity: first.header.identity, segment: 2, firstSeq: 4, salt: 5 })
  await next.close()
  const spare = tempLocation('spare')
  cpSync(location, spare, { recursive: true })
  writeFileSync(join(spare, 'wal-00000000000000000001.log'), Buffer.concat([bytes, Buffer.alloc(4096)]))
  const db = await openBytes(spare)
  t.is(db.recovery?.bytesTruncated, 0, 'nothing cut')
  t.same(await dump(db), expected(3).map(([k, v]) => `${toHex(k)}=${toHex(v)}`), 'all three batches')
  await db.close()

  // The third batch's frame zeroed: the same file length, but segment 2 no longer continues segment 1.
  const third = first.frames[2].offset
  const zeroed = Buffer.from(bytes)
  zeroed.fill(0, third)
  writeFileSync(firstPath, zeroed)
  await expectCorruption(t, location, 'zeros hiding a record')
})

test('recovery: the plan keeps what was found apart from the actions decided, and planning changes nothing', async t => {
  const location = await makeDb(4)
  const wal = 'wal-00000000000000000001.log'
  const end = readFileSync(join(location, wal)).length
  writeFileSync(join(location, wal), Buffer.concat([readFileSync(join(location, wal)), Buffer.from([0xff, 0xff, 0xff])]))
  const temp = 'snapshot-00000000000000000002.mls.tmp-0123456789abcdef'
  writeFileSync(join(location, temp), 'partial')
  writeFileSync(join(location, 'snapshot-00000000000000000002.mls'), 'damaged')
  writeFileSync(join(location, 'notes.txt'), 'mine')
  const before = snapshotFiles(location)
  const plan = await planRecovery(nodeFileSystem, location, 'strict', DEFAULT_PARAMS)
  t.same(snapshotFiles(location), before, 'nothing changed on disk')
  t.same({ seq: plan.seq, entries: plan.tree.size, existed: plan.existed, snapshot: plan.snapshot, recordsReplayed: plan.recordsReplayed, segmentsRead: plan.segmentsRead, lastSegment: plan.lastSegment, unknown: plan.unknown },
    { seq: 4, entries: expected(4).length, existed: true, snapshot: null, recordsReplayed: 4, segmentsRead: 1, lastSegment: 1, unknown: ['notes.txt'] }, 'what was found')
  t.same(plan.snapshotsSkipped, [{ name: 'snapshot-00000000000000000002.mls', problem: 'file shorter than a snapshot header' }], 'the damaged snapshot skipped')
  const { resume, ...actions } = plan.actions
  t.same(actions, {
    temps: [temp],
    obsolete: [],
    covered: [],
    setAside: [{ name: 'snapshot-00000000000000000002.mls', kind: 'corrupt' }],
    truncate: { name: wal, to: end, from: end + 3, keepCopy: false, zeroFilled: false }
  }, 'the actions decided')
  t.same(resume === null ? null : { name: resume.name, segment: resume.header.segment, end: resume.end }, { name: wal, segment: 1, end }, 'the segment to continue')
  t.same(['temps', 'obsolete', 'setAside', 'truncate', 'resume'].filter(key => key in plan), [], 'no action among the findings')
})
