/**
 * Corruption injection on small canonical files (test/util/crash/canonical.ts):
 * truncation at every byte, every bit flipped, zero-filled tails, appended
 * zeros and garbage, records spliced from another segment or database,
 * deleted, swapped and duplicated segments, snapshots replaced by older ones
 * or by another database's. The expected outcome of each case follows from
 * the recovery rules (docs/FORMAT.md): damage in the last segment that no
 * valid frame after it records as durable (a torn tail, or writes a power
 * loss left out of order) gives the valid prefix before it; anything else is refused with
 * LEVEL_CORRUPTION, unless an older valid snapshot plus the log still give
 * the whole state (the documented fallback). Every case must end in exactly
 * the expected state (contents and root) or the expected error: never
 * silently wrong contents, never another exception, never a hang.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import type { DiskState } from '../util/sim/disk-state'
import { randomBytesFrom, seededRandom } from '../util/sim/prng'
import { crc32c } from '../../lib/checksum'
import { readU32LE, writeU32LE, writeU64LE } from '../../lib/bytes'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE, saltSeed } from '../../lib/wal/format'
import { readSegment } from '../../lib/wal/reader'
import { WalWriter } from '../../lib/wal/writer'
import type { SegmentHeader } from '../../lib/wal/format'
import { RECORD_HEADER_SIZE } from '../../lib/store/batch-record'
import { segmentName, snapshotName } from '../../lib/store/file-names'
import type { RecoveryMode } from '../../lib/store/recovery'
import type { MerkleLevel } from '../../index'
import { causeCode, rootOf } from '../util/db'
import type { SortedModel } from '../util/model'
import { writeLayout } from '../util/crash/canonical'
import type { Canonical, Layout } from '../util/crash/canonical'
import { LOCATION, openDb } from '../util/crash/workload'
import { describeError } from '../util/crash/oracle'
import { lintTrace } from '../util/crash/trace-linter'

/** What opening a damaged disk must give: the state after k batches, or a refusal. */
type Expected = number | 'corruption'

const totals = { cases: 0 }
const W = `${LOCATION}/${segmentName(1)}`
const path = (name: string): string => `${LOCATION}/${name}`

// Opens `state` and compares the outcome with `expected`; returns a problem or null.
async function outcome (state: DiskState, expected: Expected, models: SortedModel[], recovery: RecoveryMode = 'strict'): Promise<string | null> {
  totals.cases++
  const fs = new SimulatedFileSystem({ state })
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<'hang'>(resolve => { timer = setTimeout(() => resolve('hang'), 20000) })
  let db: MerkleLevel | 'hang'
  try {
    db = await Promise.race([openDb(fs, { recovery }), hang])
  } catch (err) {
    if (expected === 'corruption' && causeCode(err) === 'LEVEL_CORRUPTION') return null
    return `open failed with ${causeCode(err) ?? '?'} (${describeError(err)}), expected ${String(expected)}`
  } finally {
    clearTimeout(timer)
  }
  if (db === 'hang') return 'open did not finish'
  const lint = lintTrace(fs.trace, LOCATION)
  if (lint.length > 0) {
    await db.close()
    return `recovery trace: ${lint.join('; ')}`
  }
  try {
    const k = db.recovery?.seq ?? -1
    if (expected === 'corruption') return `opened with ${k} batches, expected LEVEL_CORRUPTION`
    if (k !== expected) return `opened with ${k} batches, expected ${expected}`
    const contents = JSON.stringify(await db.iterator().all())
    const dec = new TextDecoder()
    const wanted = JSON.stringify(models[k].entries().map(([a, b]) => [dec.decode(a), dec.decode(b)]))
    if (contents !== wanted) return `contents after ${k} batches are wrong: ${contents}`
    const root = Buffer.from(await db.root()).toString('hex')
    if (root !== rootOf(models[k].entries())) return 'root differs from the contents'
    return null
  } finally {
    await db.close()
  }
}

// A copy of `state` changed by `change` (which works on a mounted simulated disk).
async function mutate (state: DiskState, change: (fs: SimulatedFileSystem) => Promise<void>): Promise<DiskState> {
  const fs = new SimulatedFileSystem({ state })
  await change(fs)
  return fs.snapshot()
}

async function rewrite (fs: SimulatedFileSystem, file: string, bytes: Uint8Array): Promise<void> {
  await fs.unlink(file).catch((err: { code?: string }) => { if (err.code !== 'ENOENT') throw err })
  const h = await fs.open(file, 'create')
  await h.write(bytes, 0)
  await h.close()
}

const withBytes = async (state: DiskState, file: string, edit: (bytes: Uint8Array) => Uint8Array): Promise<DiskState> =>
  await mutate(state, async fs => await rewrite(fs, file, edit((await fs.readFile(file)).slice())))

async function family (t: test.Test, name: string, cases: Array<{ label: string, state: () => Promise<DiskState>, expected: Expected, recovery?: RecoveryMode }>, models: SortedModel[]): Promise<void> {
  const problems: string[] = []
  for (const c of cases) {
    const problem = await outcome(await c.state(), c.expected, models, c.recovery)
    if (problem !== null && problems.length < 10) problems.push(`${c.label}: ${problem}`)
  }
  t.same(problems, [], `${name}: ${cases.length} cases`)
}

function frameIndex (frames: number[], byte: number): number {
  let j = 0
  while (j + 1 < frames.length && frames[j + 1] <= byte) j++
  return j
}

// A single segment holding batches 1..5: the canonical log.
async function canonicalLog (): Promise<Canonical> {
  return await writeLayout({ segments: [{ number: 1, first: 1, last: 5 }], snapshots: [] })
}

// The canonical log with the end offsets of its frames and its length.
async function canonicalFrames (): Promise<{ c: Canonical, frames: number[], length: number }> {
  const c = await canonicalLog()
  const frames = c.frames.get(segmentName(1)) as number[]
  return { c, frames, length: frames[frames.length - 1] }
}

test('corruption: the log truncated at every byte gives the frames before the cut', async t => {
  const { c, frames, length } = await canonicalFrames()
  const cases = Array.from({ length }, (_, x) => ({
    label: `cut at ${x}`,
    state: async () => await withBytes(c.state, W, b => b.subarray(0, x)),
    // Up to a whole header: the remains of an interrupted creation, an empty database.
    expected: x <= 128 ? 0 : frameIndex(frames, x) as Expected
  }))
  await family(t, 'truncation', cases, c.models)
})

test('corruption: a zero-filled tail is a torn tail; zeros over the header are corruption', async t => {
  const { c, frames, length } = await canonicalFrames()
  const cases = Array.from({ length }, (_, x) => ({
    label: `zeros from ${x}`,
    state: async () => await withBytes(c.state, W, b => { b.fill(0, x); return b }),
    expected: x < 128 ? 'corruption' as Expected : frameIndex(frames, x)
  }))
  await family(t, 'zero-filled tails', cases, c.models)
})

test('corruption: every bit of the log flipped', async t => {
  const { c, frames, length } = await canonicalFrames()
  const lastFrame = frames.length - 2
  for (const recovery of ['strict', 'pointInTime'] as RecoveryMode[]) {
    const cases = []
    for (let byte = 0; byte < length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const j = frameIndex(frames, byte)
        let expected: Expected
        if (recovery === 'strict') expected = byte < 128 || j < lastFrame ? 'corruption' : lastFrame
        // Point-in-time keeps what comes before the damage (a damaged header: nothing).
        else expected = byte < 128 ? 0 : j
        cases.push({ label: `byte ${byte} bit ${bit}`, recovery, expected, state: async () => await withBytes(c.state, W, b => { b[byte] ^= 1 << bit; return b }) })
      }
    }
    await family(t, `bit flips (${recovery})`, cases, c.models)
  }
})

test('corruption: appended zeros and garbage, spliced and duplicated frames, absurd lengths', async t => {
  const c = await canonicalLog()
  const other = await writeLayout({ segments: [{ number: 1, first: 1, last: 5 }], snapshots: [] })
  const frames = c.frames.get(segmentName(1)) as number[]
  const random = seededRandom(99)
  const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))
  const log = async (): Promise<Uint8Array> => await new SimulatedFileSystem({ state: c.state }).readFile(W)
  const foreign = await new SimulatedFileSystem({ state: other.state }).readFile(W)
  const foreignFrame = foreign.subarray(frames[1], frames[2])
  const bytes = await log()
  const lastFrame = bytes.subarray(frames[4], frames[5])
  // A frame header with a valid header checksum that claims a 1 GiB payload.
  const huge = new Uint8Array(FRAME_HEADER_SIZE)
  writeU32LE(huge, 0, 1 << 30)
  writeU64LE(huge, 4, SEGMENT_HEADER_SIZE)
  writeU32LE(huge, 16, crc32c(huge.subarray(0, 16), saltSeed(readU32LE(bytes, 92))))
  const cases: Array<{ label: string, state: () => Promise<DiskState>, expected: Expected }> = []
  for (const n of [1, 100, 5000]) cases.push({ label: `${n} zeros appended`, expected: 5, state: async () => await withBytes(c.state, W, b => concat(b, new Uint8Array(n))) })
  for (const n of [1, 7, 100, 4096, 65536]) cases.push({ label: `${n} random bytes appended`, expected: 5, state: async () => await withBytes(c.state, W, b => concat(b, randomBytesFrom(random, n))) })
  cases.push(
    { label: 'the last frame duplicated right after it', expected: 'corruption', state: async () => await withBytes(c.state, W, b => concat(b.subarray(0, frames[5]), lastFrame)) },
    // After the zeros the writer fills ahead: the copy's durable mark does not reach them, so this
    // is what a power loss can leave of unsynced writes (the zeros are where they were lost).
    { label: 'the last frame duplicated after the zeros written ahead', expected: 5, state: async () => await withBytes(c.state, W, b => concat(b, lastFrame)) },
    { label: 'a frame of another database appended', expected: 5, state: async () => await withBytes(c.state, W, b => concat(b, foreignFrame)) },
    { label: 'a frame of another database spliced in', expected: 'corruption', state: async () => await withBytes(c.state, W, b => concat(b.subarray(0, frames[2]), foreignFrame, b.subarray(frames[2]))) },
    { label: 'two frames swapped', expected: 'corruption', state: async () => await withBytes(c.state, W, b => concat(b.subarray(0, frames[1]), b.subarray(frames[2], frames[3]), b.subarray(frames[1], frames[2]), b.subarray(frames[3]))) },
    { label: 'a frame header claiming 1 GiB at the end', expected: 5, state: async () => await withBytes(c.state, W, b => concat(b, huge, new Uint8Array(100))) },
    { label: 'a frame header claiming 1 GiB in the middle', expected: 'corruption', state: async () => await withBytes(c.state, W, b => concat(b.subarray(0, frames[2]), huge, b.subarray(frames[2]))) }
  )
  await family(t, 'appended and spliced records', cases, c.models)
})

// Layouts a checkpoint passes through: three segments of three batches each, snapshots at 3 and 6.
const FULL: Layout = { segments: [{ number: 1, first: 1, last: 3 }, { number: 2, first: 4, last: 6 }, { number: 3, first: 7, last: 9 }], snapshots: [3, 6] }
const AFTER_CHECKPOINT: Layout = { segments: [{ number: 3, first: 7, last: 9 }], snapshots: [6] }

test('corruption: deleted, swapped and duplicated segments; replaced snapshots', async t => {
  const full = await writeLayout(FULL)
  const noNewSnapshot = await writeLayout({ ...FULL, snapshots: [3], identity: full.identity })
  const after = await writeLayout({ ...AFTER_CHECKPOINT, identity: full.identity })
  const foreign = await writeLayout({ segments: [{ number: 4, first: 10, last: 10 }], snapshots: [6] })
  const read = async (c: Canonical, name: string): Promise<Uint8Array> => await new SimulatedFileSystem({ state: c.state }).readFile(path(name))
  const older = await read(full, snapshotName(3))
  const remove = (c: Canonical, ...names: string[]) => async () => await mutate(c.state, async fs => { for (const n of names) await fs.unlink(path(n)) })
  const put = (c: Canonical, name: string, bytes: Uint8Array) => async () => await mutate(c.state, async fs => await rewrite(fs, path(name), bytes))
  const [w1, w2, w3, w4] = [1, 2, 3, 4].map(segmentName)
  const s6 = snapshotName(6)
  await family(t, 'whole files', [
    { label: 'intact, three segments and two snapshots', expected: 9, state: async () => full.state },
    { label: 'the oldest segment deleted (covered by a snapshot)', expected: 9, state: remove(full, w1) },
    { label: 'a covered middle segment deleted', expected: 9, state: remove(full, w2) },
    { label: 'the newest snapshot deleted: the older one and the log still give everything', expected: 9, state: remove(full, s6) },
    { label: 'the newest snapshot replaced by the older one: set aside, the older one and the log give everything', expected: 9, state: put(full, s6, older) },
    { label: 'a middle segment deleted with no snapshot covering it', expected: 'corruption', state: remove(noNewSnapshot, w2) },
    { label: 'two segments swapped', expected: 'corruption', state: async () => await mutate(noNewSnapshot.state, async fs => { await fs.rename(path(w2), path('x.tmp')); await fs.rename(path(w3), path(w2)); await fs.rename(path('x.tmp'), path(w3)) }) },
    { label: 'a segment duplicated under the next number', expected: 'corruption', state: put(noNewSnapshot, w4, await read(noNewSnapshot, w2)) },
    { label: 'the only snapshot deleted after its log was retired', expected: 'corruption', state: remove(after, s6) },
    { label: 'the snapshot replaced by an older one after the log was retired', expected: 'corruption', state: put(after, s6, older) },
    { label: 'the snapshot replaced by another database\'s', expected: 'corruption', state: put(after, s6, await read(foreign, s6)) },
    { label: 'a segment of another database added', expected: 'corruption', state: put(after, w4, await read(foreign, w4)) },
    // Known limit, the same in every self-contained log: removing the newest segment
    // leaves a valid older prefix that nothing on disk contradicts.
    { label: 'the newest segment deleted (undetectable: an older valid prefix)', expected: 6, state: remove(full, w3) }
  ], full.models)
})

test('corruption: every bit and every truncation of a snapshot', async t => {
  const full = await writeLayout(FULL)
  const after = await writeLayout({ ...AFTER_CHECKPOINT, identity: full.identity })
  const file = path(snapshotName(6))
  const length = (await new SimulatedFileSystem({ state: after.state }).readFile(file)).length
  for (const [name, c, expected] of [['log retired: refused', after, 'corruption'], ['older snapshot and log kept: fallback', full, 9]] as Array<[string, Canonical, Expected]>) {
    const cases = []
    for (let byte = 0; byte < length; byte++) {
      cases.push({ label: `cut at ${byte}`, expected, state: async () => await withBytes(c.state, file, b => b.subarray(0, byte)) })
      cases.push({ label: `zeros from ${byte}`, expected, state: async () => await withBytes(c.state, file, b => { b.fill(0, byte); return b }) })
      for (let bit = 0; bit < 8; bit++) {
        cases.push({ label: `byte ${byte} bit ${bit}`, expected, state: async () => await withBytes(c.state, file, b => { b[byte] ^= 1 << bit; return b }) })
      }
    }
    cases.push({ label: 'garbage appended', expected, state: async () => await withBytes(c.state, file, b => Uint8Array.from(Buffer.concat([b, randomBytesFrom(seededRandom(5), 50)]))) })
    await family(t, `snapshot damage (${name})`, cases, c.models)
  }
})

test('corruption: damage a later frame records as durable is refused; damage to frames never synced is an unsynced tail', async t => {
  const fs = new SimulatedFileSystem()
  const db = await openDb(fs, { checkpointBytes: 0 })
  await db.put('a', '1')
  await db.put('b', '2')
  for (const [key, value] of [['c', '3'], ['d', '4'], ['e', '5']]) await db.put(key, value, { sync: false } as object)
  // The disk as the process left it (the database is never closed): batches 1 and 2 synced, 3 to 5 not.
  const state = fs.snapshot()
  const read = readSegment(await new SimulatedFileSystem({ state }).readFile(W))
  if (!read.ok || read.frames.length !== 5) return t.fail('five frames expected')
  const start = (i: number): number => read.frames[i].offset
  const open = async (edit: (b: Uint8Array) => Uint8Array): Promise<unknown> => {
    const damaged = new SimulatedFileSystem({ state: await withBytes(state, W, edit) })
    try {
      const reopened = await openDb(damaged)
      const entries = await reopened.iterator().all()
      const setAside = reopened.recovery?.filesSetAside.length
      await reopened.close()
      return { entries, setAside }
    } catch (err) {
      return causeCode(err)
    }
  }
  t.same(await open(b => b.fill(0, start(2), start(3))), { entries: [['a', '1'], ['b', '2']], setAside: 1 },
    'frame 3 lost while 4 and 5 reached the disk: the synced batches, the rest kept aside')
  t.same(await open(b => { b[start(3) + FRAME_HEADER_SIZE] ^= 1; return b }), { entries: [['a', '1'], ['b', '2'], ['c', '3']], setAside: 1 },
    'frame 4 damaged, frame 5 intact: batches up to 3')
  t.is(await open(b => b.fill(0, start(1), start(2))), 'LEVEL_CORRUPTION', 'frame 2 zeroed after it was synced: refused')
  t.is(await open(b => { b[start(0) + FRAME_HEADER_SIZE + 2] ^= 1; return b }), 'LEVEL_CORRUPTION', 'a flipped bit in the synced frame 1: refused')
  t.is(await open(b => { b[start(1) + 4] ^= 1; return b }), 'LEVEL_CORRUPTION', 'a flipped bit in the durable mark of frame 2: refused')
})

test('corruption: a record with sequence number 2^64 - 1 is refused with LEVEL_CORRUPTION', async t => {
  const fs = new SimulatedFileSystem()
  await (await openDb(fs)).close()
  const writer = await WalWriter.resume(fs, W, (readSegment(await fs.readFile(W)) as { header: SegmentHeader }).header, SEGMENT_HEADER_SIZE)
  const payload = new Uint8Array(RECORD_HEADER_SIZE).fill(0xff, 0, 8)
  const frame = new Uint8Array(WalWriter.frameSize(payload.length))
  frame.set(payload, FRAME_HEADER_SIZE)
  writer.seal(frame, 0, payload.length)
  await writer.append(frame)
  await writer.finish()
  await writer.close()
  try {
    await (await openDb(fs)).close()
    t.fail('opened')
  } catch (err) {
    t.is(causeCode(err), 'LEVEL_CORRUPTION')
  }
})

test('corruption: totals and memory', t => {
  const heap = process.memoryUsage().heapUsed
  t.comment(`corruption cases: ${totals.cases}`)
  t.ok(heap < 512 * 1024 * 1024, `heap stays bounded (${Math.round(heap / 1048576)} MiB after all cases)`)
  t.end()
})
