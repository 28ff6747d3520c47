/**
 * A log segment larger than Node reads in one piece (2 GiB) opens with
 * every batch: segments are read window by window (wal/reader.ts). One
 * larger than Node's largest buffer (4 GiB) is read back too, from a file
 * system that makes its bytes up instead of a disk.
 */
import test from 'tape'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { tempLocation } from '../util/temp'
import { openBytes } from '../util/db'
import { linkedCopy } from '../util/open-copy'
import { toHex } from '../../lib/bytes'
import { constants } from 'node:buffer'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE, WAL_VERSION, encodeSegmentHeader, saltSeed, sealFrame } from '../../lib/wal/format'
import { READ_WINDOW, scanSegmentFile } from '../../lib/wal/reader'
import type { FileHandle, FileSystem } from '../../lib/fs/file-system'

const VALUE_BYTES = 100 * 1024 * 1024
const PUTS = 21

test(`large segment: ${PUTS} values of 100 MiB in one segment (over 2 GiB) open with every batch`, async t => {
  const written = tempLocation('large-segment')
  let location = written
  try {
    let db = await openBytes(written, { checkpointBytes: 0 })
    const key = (i: number): Uint8Array => Uint8Array.of(i % 2)
    // Two keys, overwritten in turn: the log grows past 2 GiB while the state stays two values.
    const value = new Uint8Array(VALUE_BYTES)
    for (let i = 0; i < PUTS; i++) {
      value.fill(i + 1)
      // The last put syncs them all.
      await db.put(key(i), value, { sync: i === PUTS - 1 } as object)
    }
    const root = toHex(await db.root())
    // A clean close would write this log as an image and retire it: the segment is taken as a
    // crash would leave it (it may end in the zeros written ahead of the frames).
    location = linkedCopy(written, 'large-segment-copy')
    await db.close()
    const segments = readdirSync(location).filter(name => name.startsWith('wal-'))
    t.is(segments.length, 1, 'one segment')
    const size = statSync(join(location, segments[0])).size
    t.ok(size > 2 ** 31, `the segment holds ${size} bytes`)

    db = await openBytes(location)
    t.is(db.recovery?.seq, PUTS, 'every batch replayed')
    t.is(toHex(await db.root()), root, 'same root')
    for (const i of [PUTS - 2, PUTS - 1]) {
      const got = await db.get(key(i)) as Uint8Array
      const sample = [0, 1, VALUE_BYTES >> 1, VALUE_BYTES - 1].map(at => got[at])
      t.same({ length: got.length, sample }, { length: VALUE_BYTES, sample: [i + 1, i + 1, i + 1, i + 1] }, `the last value of key ${i % 2}`)
    }
    await db.close()
  } finally {
    rmSync(written, { recursive: true, force: true })
    rmSync(location, { recursive: true, force: true })
  }
})

// A segment of `frames` frames of `payload` zero bytes each (the first `size` bytes of it), made up
// as it is read: only its headers exist.
function madeUpSegment (frames: number, payload: number, size?: number): { fs: FileSystem, size: number, reads: number[] } {
  const header = encodeSegmentHeader({ version: WAL_VERSION, identity: new Uint8Array(64), segment: 1, firstSeq: 1, salt: 7 })
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload)
  sealFrame(frame, 0, payload, SEGMENT_HEADER_SIZE, saltSeed(7))
  // Every frame records the header alone as durable: the same header bytes at every frame.
  const frameHeader = frame.slice(0, FRAME_HEADER_SIZE)
  const step = FRAME_HEADER_SIZE + payload
  const length = size ?? SEGMENT_HEADER_SIZE + frames * step
  const reads: number[] = []
  const place = (buffer: Uint8Array, position: number, bytes: Uint8Array, at: number): void => {
    const from = Math.max(at, position)
    const to = Math.min(at + bytes.length, position + buffer.length)
    if (from < to) buffer.set(bytes.subarray(from - at, to - at), from - position)
  }
  const handle: Partial<FileHandle> = {
    size: async () => length,
    close: async () => {},
    read: async (buffer: Uint8Array, position: number) => {
      const n = Math.max(0, Math.min(buffer.length, length - position))
      reads.push(n)
      buffer.fill(0, 0, n)
      place(buffer.subarray(0, n), position, header, 0)
      const first = Math.max(0, Math.floor((position - SEGMENT_HEADER_SIZE) / step))
      for (let i = first; i < frames && SEGMENT_HEADER_SIZE + i * step < position + n; i++) place(buffer.subarray(0, n), position, frameHeader, SEGMENT_HEADER_SIZE + i * step)
      return n
    }
  }
  const fs: Partial<FileSystem> = { open: async () => handle as FileHandle }
  return { fs: fs as FileSystem, size: length, reads }
}

test('large segment: a segment over 4 GiB (Node\'s largest buffer) is read frame by frame, whole or torn', async t => {
  const payload = 256 * 1024 * 1024
  const frames = 17
  const whole = madeUpSegment(frames, payload)
  t.ok(whole.size > constants.MAX_LENGTH, `${whole.size} bytes, more than the ${constants.MAX_LENGTH} of the largest buffer`)
  let seen = 0
  const scan = await scanSegmentFile(whole.fs, 'wal', frame => {
    if (frame.payload.length === payload && frame.offset === SEGMENT_HEADER_SIZE + seen * (FRAME_HEADER_SIZE + payload)) seen++
    return true
  })
  t.is(seen, frames, 'every frame, at its offset, with its payload')
  t.same(scan.ok && { validEnd: scan.validEnd, damage: scan.damage }, { validEnd: whole.size, damage: null }, 'no damage')
  t.ok(Math.max(...whole.reads) <= Math.max(READ_WINDOW, FRAME_HEADER_SIZE + payload), 'no read larger than a window or a frame')

  const torn = madeUpSegment(frames, payload, whole.size - 1)
  let count = 0
  const tornScan = await scanSegmentFile(torn.fs, 'wal', () => { count++; return true })
  const last = SEGMENT_HEADER_SIZE + (frames - 1) * (FRAME_HEADER_SIZE + payload)
  t.is(count, frames - 1, 'a torn last frame: the frames before it')
  t.same(tornScan.ok && tornScan.damage, { offset: last, validFrameAfter: false, durableAfter: false, zeroFilled: false }, 'and a torn tail')
})
