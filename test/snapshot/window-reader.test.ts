/**
 * The windowed snapshot reader against the whole-file reader, with windows
 * small enough that entries cross windows, are longer than a window and end
 * exactly at a window's end: the same entries, the same verdict on every
 * truncation and every flipped byte (and in random cases), and a failed or
 * short read thrown as a coded error.
 */
import test from 'tape'
import fc from 'fast-check'
import { encodeFooter, encodeSnapshotHeader, SNAPSHOT_FOOTER_SIZE, SNAPSHOT_HEADER_SIZE } from '../../lib/snapshot/format'
import { readSnapshot } from '../../lib/snapshot/reader'
import { MIN_WINDOW_SIZE, readSnapshotInWindows } from '../../lib/snapshot/window-reader'
import type { SnapshotSource } from '../../lib/snapshot/window-reader'
import { crc32c } from '../../lib/checksum'
import { varintLength, writeVarint } from '../../lib/bytes'

const identity = new Uint8Array(64).fill(3)
const root = new Uint8Array(32).fill(9)

const fill = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff)

// Keys ascending; values from empty to several times the smallest window.
const entries: Array<[Uint8Array, Uint8Array]> = [
  [new Uint8Array(0), Uint8Array.of(1)],
  [Uint8Array.of(0), new Uint8Array(0)],
  [Uint8Array.of(0, 1), fill(300, 2)],
  [Uint8Array.of(0, 2), fill(15, 3)],
  [fill(40, 4), fill(16, 5)],
  [Uint8Array.of(9), fill(130, 6)],
  [Uint8Array.of(10), fill(1, 7)],
  [Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)]
]

// A snapshot file's bytes, as the writer lays them out (snapshot/format.ts); `count` may lie.
function snapshotBytes (list: Array<[Uint8Array, Uint8Array]>, count = list.length): Uint8Array {
  const body = list.reduce((n, [k, v]) => n + varintLength(k.length) + k.length + varintLength(v.length) + v.length, 0)
  const bytes = new Uint8Array(SNAPSHOT_HEADER_SIZE + body + SNAPSHOT_FOOTER_SIZE)
  bytes.set(encodeSnapshotHeader({ identity, seq: 17, count, root }), 0)
  let at = SNAPSHOT_HEADER_SIZE
  for (const [k, v] of list) {
    at = writeVarint(bytes, at, k.length)
    bytes.set(k, at)
    at = writeVarint(bytes, at + k.length, v.length)
    bytes.set(v, at)
    at += v.length
  }
  bytes.set(encodeFooter(count, crc32c(bytes.subarray(SNAPSHOT_HEADER_SIZE, at))), at)
  return bytes
}

function source (bytes: Uint8Array, reads: { count: number } = { count: 0 }): SnapshotSource {
  return {
    path: '/db/snapshot-00000000000000000017.mls',
    size: bytes.length,
    read: async (buffer, position) => {
      reads.count++
      const part = bytes.subarray(position, position + buffer.length)
      buffer.set(part)
      return part.length
    }
  }
}

interface Outcome { problem: string | null, entries: string[] }

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

function whole (bytes: Uint8Array): Outcome {
  const got: string[] = []
  const read = readSnapshot(bytes, (k, v) => got.push(`${hex(k)}=${hex(v)}`))
  return read.ok ? { problem: null, entries: got } : { problem: read.problem, entries: [] }
}

async function windowed (bytes: Uint8Array, windowSize: number): Promise<Outcome> {
  const got: string[] = []
  const read = await readSnapshotInWindows(source(bytes), (k, v) => got.push(`${hex(k)}=${hex(v)}`), windowSize)
  // Entries handed over before a problem was found are the caller's to drop.
  return read.ok ? { problem: null, entries: got } : { problem: read.problem, entries: [] }
}

const WINDOWS = [MIN_WINDOW_SIZE, 17, 23, 32, 64, 131, 4096]

test('window reader: the same entries as the whole-file reader, whatever the window', async t => {
  const bytes = snapshotBytes(entries)
  const expected = whole(bytes)
  t.is(expected.problem, null)
  t.is(expected.entries.length, entries.length)
  let mismatches = 0
  for (let w = MIN_WINDOW_SIZE; w <= bytes.length + 1; w++) {
    const got = await windowed(bytes, w)
    if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches++
  }
  t.is(mismatches, 0, `every window size from ${MIN_WINDOW_SIZE} to the file's size`)
})

test('window reader: entries within a window are views of it; longer ones are copies of their own', async t => {
  const bytes = snapshotBytes(entries)
  let copies = 0
  let views = 0
  let atEdge = 0
  for (let w = MIN_WINDOW_SIZE; w <= 200; w++) {
    let wrong = 0
    await readSnapshotInWindows(source(bytes), (key, value) => {
      for (const part of [key, value]) {
        if (part.length > w) {
          copies++
          if (part.byteOffset !== 0 || part.buffer.byteLength !== part.length) wrong++
        } else if (part.length > 0) {
          views++
          if (part.buffer.byteLength > w) wrong++
          if (part.buffer.byteLength === w && part.byteOffset + part.length === w) atEdge++
        }
      }
    }, w)
    if (wrong > 0) t.fail(`window ${w}: ${wrong} keys or values in the wrong kind of buffer`)
  }
  t.ok(copies > 0, `${copies} keys and values longer than their window were copies of their own`)
  t.ok(views > 0, `${views} were views of a window no longer than the window size`)
  t.ok(atEdge > 0, `${atEdge} ended exactly at the end of a full window`)
})

test('window reader: a large window reads the file in few reads', async t => {
  const bytes = snapshotBytes(entries)
  const reads = { count: 0 }
  const read = await readSnapshotInWindows(source(bytes, reads), () => {}, 4096)
  t.ok(read.ok)
  t.is(reads.count, 3, 'header, footer, one window for the whole body')
})

test('window reader: every truncation gives the whole-file reader\'s verdict', async t => {
  const bytes = snapshotBytes(entries)
  let compared = 0
  for (const w of WINDOWS) {
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n)
      const expected = whole(cut)
      const got = await windowed(cut, w)
      compared++
      if (expected.problem === null) t.fail(`truncation to ${n} accepted`)
      if (got.problem !== expected.problem) t.fail(`window ${w}, truncation to ${n}: ${String(got.problem)} where ${String(expected.problem)}`)
    }
  }
  t.pass(`${compared} truncations refused alike`)
})

test('window reader: every flipped bit gives the whole-file reader\'s verdict', async t => {
  const bytes = snapshotBytes(entries)
  let compared = 0
  const problems = new Set<string>()
  for (const w of [MIN_WINDOW_SIZE, 23, 131]) {
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = bytes.slice()
        bad[i] ^= 1 << bit
        const expected = whole(bad)
        const got = await windowed(bad, w)
        compared++
        if (expected.problem === null) t.fail(`flip of bit ${bit} at ${i} accepted`)
        if (got.problem !== expected.problem) t.fail(`window ${w}, bit ${bit} at ${i}: ${String(got.problem)} where ${String(expected.problem)}`)
        problems.add(String(got.problem))
      }
    }
  }
  t.pass(`${compared} flipped bits refused alike (${[...problems].sort().join('; ')})`)
})

test('window reader: malformed entries, keys out of order and wrong counts, with a valid checksum', async t => {
  const swapped: Array<[Uint8Array, Uint8Array]> = [entries[0], entries[2], entries[1], ...entries.slice(3)]
  const overlong = snapshotBytes(entries)
  // The last entry's value length made longer than the body: the checksums are recomputed.
  const lastValue = overlong.length - SNAPSHOT_FOOTER_SIZE - 3
  overlong[lastValue] = 0x7f
  const bodyEnd = overlong.length - SNAPSHOT_FOOTER_SIZE
  overlong.set(encodeFooter(entries.length, crc32c(overlong.subarray(SNAPSHOT_HEADER_SIZE, bodyEnd))), bodyEnd)
  const cases: Array<[string, Uint8Array, string]> = [
    ['keys out of order', snapshotBytes(swapped), 'keys out of order at entry 2'],
    ['more entries than counted', snapshotBytes(entries, entries.length - 1), 'more entries than the header says'],
    ['fewer entries than counted', snapshotBytes(entries, entries.length + 1), `expected ${entries.length + 1} entries, found ${entries.length}`],
    ['a length past the body', overlong, `malformed entry ${entries.length - 1}`]
  ]
  for (const [name, bytes, problem] of cases) {
    t.is(whole(bytes).problem, problem, `${name}: whole`)
    for (const w of WINDOWS) {
      const got = await windowed(bytes, w)
      if (got.problem !== problem) t.fail(`${name}, window ${w}: ${String(got.problem)}`)
    }
  }
  t.pass('the same problems in every window size')
})

test('window reader: a failed read and a file shorter than its size are coded errors', async t => {
  const bytes = snapshotBytes(entries)
  const failing: SnapshotSource = {
    ...source(bytes),
    read: async (buffer, position) => {
      if (position > SNAPSHOT_HEADER_SIZE) throw Object.assign(new Error('i/o error'), { code: 'EIO' })
      return await source(bytes).read(buffer, position)
    }
  }
  const shrunk: SnapshotSource = { ...source(bytes.subarray(0, 200)), size: bytes.length }
  for (const [name, file] of [['failed read', failing], ['shrunk file', shrunk]] as const) {
    try {
      await readSnapshotInWindows(file, () => {}, 32)
      t.fail(`${name}: resolved`)
    } catch (err) {
      t.is((err as { code?: string }).code, 'LEVEL_IO_ERROR', `${name}: LEVEL_IO_ERROR`)
      t.ok((err as Error).message.includes(file.path), `${name}: names the file`)
    }
  }
  try {
    await readSnapshotInWindows(source(bytes), () => {}, MIN_WINDOW_SIZE - 1)
    t.fail('resolved')
  } catch (err) {
    t.ok(err instanceof RangeError, 'a window smaller than the minimum is refused')
  }
})

test('window reader: random snapshots, windows and damage give the whole-file reader\'s verdict', async t => {
  const entryList = fc.uniqueArray(
    fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ minLength: 100, maxLength: 400 }))),
    { maxLength: 16, selector: ([k]) => hex(k) }
  ).map(list => list.sort(([a], [b]) => Buffer.compare(a, b)))
  const damage = fc.oneof(
    fc.constant({ kind: 'none' as const, at: 0, bits: 0 }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), bits: fc.constant(0) })
  )
  let runs = 0
  await fc.assert(fc.asyncProperty(entryList, fc.integer({ min: MIN_WINDOW_SIZE, max: 150 }), damage, async (list, windowSize, harm) => {
    let bytes = snapshotBytes(list)
    if (harm.kind === 'flip') {
      bytes = bytes.slice()
      bytes[harm.at % bytes.length] ^= harm.bits
    } else if (harm.kind === 'cut') {
      bytes = bytes.subarray(0, harm.at % bytes.length)
    }
    runs++
    const expected = whole(bytes)
    const got = await windowed(bytes, windowSize)
    return JSON.stringify(got) === JSON.stringify(expected) && (harm.kind === 'none') === (expected.problem === null)
  }), { numRuns: 500, seed: 18 })
  t.is(runs, 500, '500 random cases agree')
})
