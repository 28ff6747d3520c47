/**
 * The WAL segment format: writer and reader round trips, the constant-time
 * frame check, the durable marks, how the reader classifies damage (in
 * version 2 and version 1 segments), and reading by windows.
 */
import test from 'tape'
import { join } from 'node:path'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { MAX_EXTENSION, MIN_EXTENSION, WalWriter } from '../../lib/wal/writer'
import { readSegment, scanSegmentFile } from '../../lib/wal/reader'
import type { SegmentRead, WalFrame } from '../../lib/wal/reader'
import {
  FRAME_HEADER_SIZE, FRAME_HEADER_SIZE_V1, SEGMENT_HEADER_SIZE, WAL_VERSION, WAL_VERSION_1,
  decodeSegmentHeader, encodeSegmentHeader, saltSeed, sealFrameV1
} from '../../lib/wal/format'
import { readU64LE } from '../../lib/bytes'
import { tempLocation } from '../util/temp'

const identity = new Uint8Array(64).fill(7)

// A segment of `payloads`, each appended alone; `synced`: each synced before the next is sealed.
async function writeSegment (payloads: Uint8Array[], salt = 99, synced = false): Promise<Uint8Array> {
  const dir = tempLocation('wal')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'wal-1.log')
  const writer = await WalWriter.create(nodeFileSystem, path, { identity, segment: 1, firstSeq: 1, salt })
  for (const p of payloads) {
    await writer.append(frameOf(p, writer))
    if (synced) await writer.sync()
  }
  await writer.finish()
  await writer.close()
  return new Uint8Array(readFileSync(path))
}

function frameOf (payload: Uint8Array, writer: WalWriter): Uint8Array {
  const buf = new Uint8Array(WalWriter.frameSize(payload.length))
  buf.set(payload, FRAME_HEADER_SIZE)
  writer.seal(buf, 0, payload.length)
  return buf
}

const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(40).fill(5), Uint8Array.of(9)]

test('wal: header round trip and refusal of damaged headers', t => {
  const header = { version: WAL_VERSION, identity, segment: 12, firstSeq: 345, salt: 0xdeadbeef }
  const bytes = encodeSegmentHeader(header)
  t.is(bytes.length, SEGMENT_HEADER_SIZE)
  const back = decodeSegmentHeader(bytes)
  t.same(back.ok ? { ...back.header, identity: Array.from(back.header.identity) } : back, { ...header, identity: Array.from(identity) })
  t.same(decodeSegmentHeader(bytes.subarray(0, 100)), { ok: false, problem: 'short' })
  const accepted: number[] = []
  for (let i = 0; i < SEGMENT_HEADER_SIZE; i++) {
    const bad = bytes.slice()
    bad[i] ^= 0x10
    if (decodeSegmentHeader(bad).ok) accepted.push(i)
  }
  t.same(accepted, [], 'a flipped bit in every byte of the header refused')
  t.end()
})

test('wal: frames round trip', async t => {
  const bytes = await writeSegment(payloads)
  const read = readSegment(bytes)
  t.ok(read.ok)
  if (!read.ok) return
  t.same(read.frames.map(f => Array.from(f.payload)), payloads.map(p => Array.from(p)))
  t.is(read.damage, null)
  t.is(read.validEnd, bytes.length)
})

test('wal: a torn tail at every byte offset reads as the frames before it, with no valid frame after', async t => {
  const bytes = await writeSegment(payloads)
  const ends: number[] = []
  let offset = SEGMENT_HEADER_SIZE
  for (const p of payloads) { offset += FRAME_HEADER_SIZE + p.length; ends.push(offset) }
  const wrong: string[] = []
  for (let cut = SEGMENT_HEADER_SIZE; cut < bytes.length; cut++) {
    const read = readSegment(bytes.subarray(0, cut))
    if (!read.ok) { wrong.push(`header lost at ${cut}`); continue }
    const complete = ends.filter(e => e <= cut).length
    if (read.frames.length !== complete) wrong.push(`cut ${cut}: ${read.frames.length} frames, expected ${complete}`)
    if (read.damage !== null && read.damage.validFrameAfter) wrong.push(`cut ${cut}: damage reported with valid data after`)
    // The same frames followed by zeros (a tail the file system extended with zeros): a torn tail too.
    const lastEnd = complete === 0 ? SEGMENT_HEADER_SIZE : ends[complete - 1]
    const zeroed = new Uint8Array(cut + 1)
    zeroed.set(bytes.subarray(0, lastEnd))
    const z = readSegment(zeroed)
    if (!z.ok || z.frames.length !== complete || z.damage?.validFrameAfter !== false || !z.damage.zeroFilled) {
      wrong.push(`cut ${cut}: zero-filled tail misread`)
    }
  }
  t.same(wrong, [], `${bytes.length - SEGMENT_HEADER_SIZE} cut points checked, with and without a zero-filled tail`)
})

test('wal: after a torn frame, a frame behind zeros is still found, and zeros alone hold none', async t => {
  const bytes = await writeSegment(payloads)
  const torn = new Uint8Array(20).fill(7)
  const gap = new Uint8Array(5000)
  // A whole frame whose payload is all zeros, copied from a segment of the same salt.
  const zeroPayload = await writeSegment([new Uint8Array(30)])
  const frame = zeroPayload.subarray(SEGMENT_HEADER_SIZE)
  const withFrame = new Uint8Array([...bytes, ...torn, ...gap, ...frame])
  const read = readSegment(withFrame)
  t.ok(read.ok && read.frames.length === payloads.length, 'the frames before the torn one')
  t.same(read.ok && read.damage, { offset: bytes.length, validFrameAfter: true, durableAfter: false, zeroFilled: false },
    'a valid frame after the zeros is found; its durable mark (the segment header) does not reach the damage')
  const alone = readSegment(new Uint8Array([...bytes, ...torn, ...gap]))
  t.same(alone.ok && alone.damage, { offset: bytes.length, validFrameAfter: false, durableAfter: false, zeroFilled: false }, 'a torn frame and zeros: a torn tail')
})

test('wal: a flipped byte inside a frame synced before a later one was written is damage a later frame records as durable', async t => {
  const bytes = await writeSegment(payloads, 99, true)
  const lastFrameStart = bytes.length - FRAME_HEADER_SIZE - 1
  t.is(flipsReadAsDurableDamage(bytes, lastFrameStart), lastFrameStart - SEGMENT_HEADER_SIZE, 'every flip before the last frame is detected, a later frame vouching for it')
})

test('wal: a frame records how far the segment was synced when it was sealed', async t => {
  const bytes = await writeSegment(payloads, 99, true)
  const read = readSegment(bytes)
  if (!read.ok) return t.fail('unreadable')
  const marks = read.frames.map(f => readU64LE(bytes, f.offset + 4))
  const starts = read.frames.map(f => f.offset)
  t.same(marks, starts, 'each frame, written after the one before it was synced, records that frame\'s end')
  const plain = await writeSegment(payloads)
  const r = readSegment(plain)
  t.same(r.ok && r.frames.map(f => readU64LE(plain, f.offset + 4)), payloads.map(() => SEGMENT_HEADER_SIZE),
    'frames appended with no sync in between record the header alone')
})

test('wal: damage in frames never synced, with valid frames after it, is damage no later frame records as durable', async t => {
  const bytes = await writeSegment(payloads)
  let unsynced = 0
  const lastFrameStart = bytes.length - FRAME_HEADER_SIZE - 1
  for (let i = SEGMENT_HEADER_SIZE; i < lastFrameStart; i++) {
    const bad = bytes.slice()
    bad[i] ^= 0x40
    const read = readSegment(bad)
    if (read.ok && read.damage !== null && read.damage.validFrameAfter && !read.damage.durableAfter) unsynced++
  }
  t.is(unsynced, lastFrameStart - SEGMENT_HEADER_SIZE, 'every flip is found with valid frames after it that were written before any sync')
})

// A version 1 segment, as the first release wrote it.
function segmentV1 (frames: Uint8Array[], salt = 99): Uint8Array {
  const parts = [encodeSegmentHeader({ version: WAL_VERSION_1, identity, segment: 1, firstSeq: 1, salt })]
  for (const p of frames) {
    const frame = new Uint8Array(FRAME_HEADER_SIZE_V1 + p.length)
    frame.set(p, FRAME_HEADER_SIZE_V1)
    sealFrameV1(frame, 0, p.length, saltSeed(salt))
    parts.push(frame)
  }
  return new Uint8Array(Buffer.concat(parts))
}

test('wal: version 1 segments are read by the first release\'s rules: any valid frame after damage counts as durable', t => {
  const bytes = segmentV1(payloads)
  const read = readSegment(bytes)
  t.ok(read.ok && read.header.version === WAL_VERSION_1, 'version 1 header')
  t.same(read.ok && read.frames.map(f => Array.from(f.payload)), payloads.map(p => Array.from(p)), 'frames read')
  t.same(read.ok && read.frames.map(f => f.offset), [128, 143, 155, 207], 'twelve-byte frame headers')
  const lastFrameStart = bytes.length - FRAME_HEADER_SIZE_V1 - 1
  t.is(flipsReadAsDurableDamage(bytes, lastFrameStart), lastFrameStart - SEGMENT_HEADER_SIZE, 'every flip before the last frame is damage with durable data after it')
  const torn = readSegment(bytes.subarray(0, bytes.length - 1))
  t.same(torn.ok && torn.damage, { offset: 207, validFrameAfter: false, durableAfter: false, zeroFilled: false }, 'a torn last frame is a tail')
  t.end()
})

test('wal: frames from another segment (another salt) do not validate', async t => {
  const a = await writeSegment(payloads, 1)
  const b = await writeSegment(payloads, 2)
  const spliced = new Uint8Array(a.length)
  spliced.set(a.subarray(0, SEGMENT_HEADER_SIZE))
  spliced.set(b.subarray(SEGMENT_HEADER_SIZE), SEGMENT_HEADER_SIZE)
  const read = readSegment(spliced)
  t.ok(read.ok && read.frames.length === 0 && read.damage !== null && !read.damage.validFrameAfter)
})

test('wal: the segment is extended with zeros ahead of its frames, by what it holds, and finish() cuts them off', async t => {
  const dir = tempLocation('wal')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'wal-1.log')
  const writer = await WalWriter.create(nodeFileSystem, path, { identity, segment: 1, firstSeq: 1, salt: 5 })
  t.is(statSync(path).size, SEGMENT_HEADER_SIZE, 'a new segment is its header alone')
  const small = frameOf(new Uint8Array(100).fill(3), writer)
  await writer.append(small)
  const firstEnd = SEGMENT_HEADER_SIZE + small.length
  t.is(writer.size, firstEnd)
  t.is(writer.capacity, firstEnd + MIN_EXTENSION, 'the first extension is the least one')
  t.is(statSync(path).size, writer.capacity, 'the file is as long as the capacity')
  // Frames that fit go into the zeros: the file does not change size.
  await writer.append(small)
  t.is(statSync(path).size, firstEnd + MIN_EXTENSION)
  // A frame past the capacity extends by what the segment holds (its capacity so far).
  const big = frameOf(new Uint8Array(200_000).fill(4), writer)
  const before = writer.capacity
  await writer.append(big)
  const end = firstEnd + small.length + big.length
  t.is(writer.capacity, end + before, 'extended by the capacity it had')
  t.is(statSync(path).size, end + before)
  // Past MAX_EXTENSION the step stops growing.
  const huge = frameOf(new Uint8Array(MAX_EXTENSION), writer)
  await writer.append(huge)
  t.is(writer.capacity, end + huge.length + end + before, 'a segment of under MAX_EXTENSION doubles')
  await writer.append(huge)
  t.is(writer.capacity, end + 2 * huge.length + MAX_EXTENSION, 'never more than MAX_EXTENSION at once')
  await writer.sync()
  // Unfinished (as a crash leaves it): the frames, then zeros.
  const unfinished = new Uint8Array(readFileSync(path))
  const read = readSegment(unfinished)
  t.ok(read.ok && read.frames.length === 5 && read.validEnd === writer.size, 'all five frames read')
  t.ok(read.ok && read.damage !== null && read.damage.zeroFilled && !read.damage.validFrameAfter, 'the rest reads as a zero-filled tail')
  const syncs = writer.stats.syncs
  await writer.finish()
  t.is(statSync(path).size, writer.size, 'finish() cuts the zeros off')
  t.is(writer.capacity, writer.size)
  t.is(writer.stats.syncs, syncs + 1, 'and syncs the cut')
  await writer.finish()
  t.is(writer.stats.syncs, syncs + 1, 'a finished segment needs no second sync')
  const done = readSegment(new Uint8Array(readFileSync(path)))
  t.ok(done.ok && done.frames.length === 5 && done.damage === null, 'a finished segment has no tail')
  await writer.close()
})

// What a read found, comparable with t.same.
function summary (read: SegmentRead): unknown {
  if (!read.ok) return read
  const frames = read.frames.map((f: WalFrame) => [f.offset, Buffer.from(f.payload).toString('hex')])
  return { ...read, header: { ...read.header, identity: Array.from(read.header.identity) }, frames }
}

// Segments of both versions, whole, cut, flipped, zero-extended and with frames behind damage.
async function variants (): Promise<Uint8Array[]> {
  const synced = await writeSegment(payloads, 99, true)
  const unsynced = await writeSegment(payloads)
  const v1 = segmentV1(payloads)
  const zeroFrame = (await writeSegment([new Uint8Array(30)])).subarray(SEGMENT_HEADER_SIZE)
  const out: Uint8Array[] = [new Uint8Array(0), synced.subarray(0, 100)]
  for (const bytes of [synced, unsynced, v1]) {
    out.push(bytes, new Uint8Array([...bytes, ...new Uint8Array(3000)]), new Uint8Array([...bytes, 7, 7, 7, ...new Uint8Array(300), ...zeroFrame]))
    for (let i = SEGMENT_HEADER_SIZE; i < bytes.length; i += 3) {
      out.push(bytes.subarray(0, i))
      const bad = bytes.slice()
      bad[i] ^= 0x08
      out.push(bad)
    }
  }
  return out
}

test('wal: reading by windows as small as one byte finds the same frames and the same damage as reading whole', async t => {
  let compared = 0
  for (const bytes of await variants()) {
    const whole = summary(readSegment(bytes))
    for (const window of [1, 5, 13, 20, 64, 200]) {
      const windowed = summary(readSegment(bytes, window))
      if (JSON.stringify(windowed) !== JSON.stringify(whole)) t.same(windowed, whole, `window ${window}, ${bytes.length} bytes`)
      compared++
    }
  }
  t.ok(compared > 1000, `${compared} windowed reads matched the whole reads`)
})

test('wal: a segment file read window by window gives what reading it whole gives', async t => {
  const dir = tempLocation('wal')
  mkdirSync(dir, { recursive: true })
  let n = 0
  for (const bytes of (await variants()).filter((_, i) => i % 7 === 0)) {
    const path = join(dir, `wal-${n++}.log`)
    writeFileSync(path, bytes)
    const frames: WalFrame[] = []
    const scan = await scanSegmentFile(nodeFileSystem, path, frame => { frames.push(frame); return true }, 9)
    const read = scan.ok ? { ...scan, frames } : scan
    t.same(summary(read), summary(readSegment(bytes)), `${bytes.length} bytes`)
  }
})

test('wal: a visitor that refuses a frame stops the walk there', async t => {
  const dir = tempLocation('wal')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'wal-1.log')
  const bytes = await writeSegment(payloads, 99, true)
  writeFileSync(path, bytes)
  const seen: number[] = []
  const scan = await scanSegmentFile(nodeFileSystem, path, frame => { seen.push(frame.offset); return seen.length < 3 }, 16)
  const third = readSegment(bytes)
  t.same(scan.ok && { validEnd: scan.validEnd, stopped: scan.stopped, damage: scan.damage }, { validEnd: third.ok ? third.frames[2].offset : -1, stopped: true, damage: null })
  t.is(seen.length, 3)
})

// How many single-byte flips between the segment header and `end` read as damage that a later
// valid frame records as durable.
function flipsReadAsDurableDamage (bytes: Uint8Array, end: number): number {
  let flagged = 0
  for (let i = SEGMENT_HEADER_SIZE; i < end; i++) {
    const bad = bytes.slice()
    bad[i] ^= 0x40
    const read = readSegment(bad)
    if (read.ok && read.damage !== null && read.damage.validFrameAfter && read.damage.durableAfter) flagged++
  }
  return flagged
}
