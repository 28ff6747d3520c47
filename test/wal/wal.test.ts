/**
 * The WAL segment format: writer and reader round trips, the constant-time
 * frame check, and how the reader classifies damage.
 */
import test from 'tape'
import { join } from 'node:path'
import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { MAX_EXTENSION, MIN_EXTENSION, WalWriter } from '../../lib/wal/writer'
import { readSegment } from '../../lib/wal/reader'
import { SEGMENT_HEADER_SIZE, decodeSegmentHeader, encodeSegmentHeader } from '../../lib/wal/format'
import { tempLocation } from '../util/temp'

const identity = new Uint8Array(64).fill(7)

async function writeSegment (payloads: Uint8Array[], salt = 99): Promise<Uint8Array> {
  const dir = tempLocation('wal')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'wal-1.log')
  const writer = await WalWriter.create(nodeFileSystem, path, { identity, segment: 1, firstSeq: 1, salt })
  for (const p of payloads) await writer.append(frameOf(p, writer))
  await writer.finish()
  await writer.close()
  return new Uint8Array(readFileSync(path))
}

function frameOf (payload: Uint8Array, writer: WalWriter): Uint8Array {
  const buf = new Uint8Array(WalWriter.frameSize(payload.length))
  buf.set(payload, 12)
  writer.seal(buf, 0, payload.length)
  return buf
}

const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(40).fill(5), Uint8Array.of(9)]

test('wal: header round trip and refusal of damaged headers', t => {
  const header = { identity, segment: 12, firstSeq: 345, salt: 0xdeadbeef }
  const bytes = encodeSegmentHeader(header)
  t.is(bytes.length, SEGMENT_HEADER_SIZE)
  const back = decodeSegmentHeader(bytes)
  t.same(typeof back === 'string' ? back : { ...back, identity: Array.from(back.identity) }, { ...header, identity: Array.from(identity) })
  t.is(decodeSegmentHeader(bytes.subarray(0, 100)), 'short')
  const accepted: number[] = []
  for (let i = 0; i < SEGMENT_HEADER_SIZE; i++) {
    const bad = bytes.slice()
    bad[i] ^= 0x10
    if (typeof decodeSegmentHeader(bad) !== 'string') accepted.push(i)
  }
  t.same(accepted, [], 'a flipped bit in every byte of the header refused')
  t.end()
})

test('wal: frames round trip', async t => {
  const bytes = await writeSegment(payloads)
  const read = readSegment(bytes)
  t.ok(read.ok)
  if (!read.ok) return
  t.same(read.payloads.map(p => Array.from(p)), payloads.map(p => Array.from(p)))
  t.is(read.damage, null)
  t.is(read.validEnd, bytes.length)
})

test('wal: a torn tail at every byte offset reads as the frames before it, with no valid frame after', async t => {
  const bytes = await writeSegment(payloads)
  const ends: number[] = []
  let offset = SEGMENT_HEADER_SIZE
  for (const p of payloads) { offset += 12 + p.length; ends.push(offset) }
  const wrong: string[] = []
  for (let cut = SEGMENT_HEADER_SIZE; cut < bytes.length; cut++) {
    const read = readSegment(bytes.subarray(0, cut))
    if (!read.ok) { wrong.push(`header lost at ${cut}`); continue }
    const complete = ends.filter(e => e <= cut).length
    if (read.payloads.length !== complete) wrong.push(`cut ${cut}: ${read.payloads.length} frames, expected ${complete}`)
    if (read.damage !== null && read.damage.validFrameAfter) wrong.push(`cut ${cut}: damage reported with valid data after`)
    // The same frames followed by zeros (a tail the file system extended with zeros): a torn tail too.
    const lastEnd = complete === 0 ? SEGMENT_HEADER_SIZE : ends[complete - 1]
    const zeroed = new Uint8Array(cut + 1)
    zeroed.set(bytes.subarray(0, lastEnd))
    const z = readSegment(zeroed)
    if (!z.ok || z.payloads.length !== complete || z.damage?.validFrameAfter !== false || !z.damage.zeroFilled) {
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
  t.ok(read.ok && read.payloads.length === payloads.length, 'the frames before the torn one')
  t.same(read.ok && read.damage, { offset: bytes.length, validFrameAfter: true, zeroFilled: false }, 'a valid frame after the zeros is damage with valid data after it')
  const alone = readSegment(new Uint8Array([...bytes, ...torn, ...gap]))
  t.same(alone.ok && alone.damage, { offset: bytes.length, validFrameAfter: false, zeroFilled: false }, 'a torn frame and zeros: a torn tail')
})

test('wal: a flipped byte inside an earlier frame is damage followed by valid frames', async t => {
  const bytes = await writeSegment(payloads)
  let flagged = 0
  const lastFrameStart = bytes.length - 13
  for (let i = SEGMENT_HEADER_SIZE; i < lastFrameStart; i++) {
    const bad = bytes.slice()
    bad[i] ^= 0x40
    const read = readSegment(bad)
    if (read.ok && read.damage !== null && read.damage.validFrameAfter) flagged++
  }
  t.is(flagged, lastFrameStart - SEGMENT_HEADER_SIZE, 'every flip before the last frame is detected with valid data after it')
})

test('wal: frames from another segment (another salt) do not validate', async t => {
  const a = await writeSegment(payloads, 1)
  const b = await writeSegment(payloads, 2)
  const spliced = new Uint8Array(a.length)
  spliced.set(a.subarray(0, SEGMENT_HEADER_SIZE))
  spliced.set(b.subarray(SEGMENT_HEADER_SIZE), SEGMENT_HEADER_SIZE)
  const read = readSegment(spliced)
  t.ok(read.ok && read.payloads.length === 0 && read.damage !== null && !read.damage.validFrameAfter)
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
  t.ok(read.ok && read.payloads.length === 5 && read.validEnd === writer.size, 'all five frames read')
  t.ok(read.ok && read.damage !== null && read.damage.zeroFilled && !read.damage.validFrameAfter, 'the rest reads as a zero-filled tail')
  const syncs = writer.stats.syncs
  await writer.finish()
  t.is(statSync(path).size, writer.size, 'finish() cuts the zeros off')
  t.is(writer.capacity, writer.size)
  t.is(writer.stats.syncs, syncs + 1, 'and syncs the cut')
  await writer.finish()
  t.is(writer.stats.syncs, syncs + 1, 'a finished segment needs no second sync')
  const done = readSegment(new Uint8Array(readFileSync(path)))
  t.ok(done.ok && done.payloads.length === 5 && done.damage === null, 'a finished segment has no tail')
  await writer.close()
})
