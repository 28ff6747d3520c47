/**
 * Logs of the first release (WAL format version 1): the committed database
 * of test/fixtures/wal-v1 (see its README.md) opens with the contents and
 * root it was written with, under the first release's damage rules, and new
 * writes after it go to a new segment of the current version.
 */
import test from 'tape'
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSegment } from '../../lib/wal/reader'
import { FRAME_HEADER_SIZE_V1, WAL_VERSION, WAL_VERSION_1 } from '../../lib/wal/format'
import { MerkleLevel } from '../../index'
import type { MerkleLevelOptions } from '../../index'
import { causeCode } from '../util/db'
import { rewriteAsImage } from '../util/snapshot-versions'
import { tempLocation } from '../util/temp'

const fixture = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'wal-v1')
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { seq: number, snapshotSeq: number, root: string, entries: Array<[string, string]> }
const SEGMENT = 'wal-00000000000000000002.log'

function copy (): string {
  const location = tempLocation('v1')
  cpSync(join(fixture, 'db'), location, { recursive: true })
  return location
}

async function open (location: string, options: MerkleLevelOptions<string, string> = {}): Promise<MerkleLevel<string, string>> {
  const db = new MerkleLevel<string, string>(location, options)
  await db.open()
  return db
}

function versionOf (path: string): number {
  const read = readSegment(new Uint8Array(readFileSync(path)))
  return read.ok ? read.header.version : -1
}

test('version 1: the fixture is a version 1 log after a snapshot', t => {
  const read = readSegment(new Uint8Array(readFileSync(join(fixture, 'db', SEGMENT))))
  t.ok(read.ok && read.header.version === WAL_VERSION_1, 'segment of version 1')
  t.same(read.ok && read.frames.map(f => f.offset).slice(0, 2), read.ok && [128, 128 + FRAME_HEADER_SIZE_V1 + read.frames[0].payload.length], 'twelve-byte frame headers')
  t.is(read.ok && read.frames.length, expected.seq - expected.snapshotSeq, 'one frame per batch after the snapshot')
  t.end()
})

test('version 1: a log of the first release opens with its contents and root', async t => {
  const location = copy()
  const db = await open(location)
  t.is(db.recovery?.seq, expected.seq, 'every batch')
  t.is(db.recovery?.recordsReplayed, expected.seq - expected.snapshotSeq, 'the log replayed after the snapshot')
  t.same(await db.iterator().all(), expected.entries, 'contents')
  t.is(Buffer.from(await db.root()).toString('hex'), expected.root, 'root')
  t.is(db.recovery?.root, expected.root, 'reported root')
  await db.close()
})

test('version 1: writes after opening go to a new segment of the current version; the old one is kept as it was', async t => {
  const location = copy()
  // Opening migrates the fixture's version 1 snapshot, and that checkpoint retires every segment
  // before it, the version 1 one included. The log is what is tested here: the snapshot is made
  // a version 2 image of the same state first, so that nothing is migrated.
  await rewriteAsImage(location, readdirSync(location).find(n => n.endsWith('.mls')) as string)
  const before = readFileSync(join(location, SEGMENT))
  const db = await open(location)
  await db.put('kiwi', 'brown')
  await db.close()
  const segments = readdirSync(location).filter(n => n.startsWith('wal-')).sort()
  t.same(segments, [SEGMENT, 'wal-00000000000000000003.log'], 'a new segment after the version 1 one')
  t.same(readFileSync(join(location, SEGMENT)), before, 'the version 1 segment is unchanged')
  t.is(versionOf(join(location, segments[1])), WAL_VERSION, 'the new segment is of the current version')
  const again = await open(location)
  t.is(again.recovery?.seq, expected.seq + 1)
  t.same(await again.iterator().all(), [...expected.entries, ['kiwi', 'brown']].sort((a, b) => a[0] < b[0] ? -1 : 1))
  await again.put('lime', 'green')
  await again.close()
  t.same(readdirSync(location).filter(n => n.startsWith('wal-')).sort(), segments, 'the segment of the current version is continued')
  const third = await open(location)
  t.is(third.recovery?.seq, expected.seq + 2)
  await third.checkpoint()
  await third.close()
  t.same(readdirSync(location).filter(n => n.startsWith('wal-')).length, 1, 'a checkpoint retires the version 1 segment')
  t.notOk(readdirSync(location).includes(SEGMENT))
})

test('version 1: damage followed by valid frames is refused in strict mode, as the first release did', async t => {
  const location = copy()
  const path = join(location, SEGMENT)
  const bytes = readFileSync(path)
  // A flipped bit in the payload of the first of four frames.
  bytes[128 + FRAME_HEADER_SIZE_V1 + 3] ^= 1
  writeFileSync(path, bytes)
  try {
    const db = await open(location)
    await db.close()
    t.fail('opened')
  } catch (err) {
    t.is(causeCode(err), 'LEVEL_CORRUPTION')
  }
  t.same(readFileSync(path), bytes, 'nothing changed')
  const db = await open(location, { recovery: 'pointInTime' })
  t.is(db.recovery?.seq, expected.snapshotSeq, 'pointInTime: the snapshot alone')
  await db.close()
})

test('version 1: a torn last frame is cut as a torn tail', async t => {
  const location = copy()
  const path = join(location, SEGMENT)
  const bytes = readFileSync(path)
  writeFileSync(path, bytes.subarray(0, bytes.length - 2))
  const db = await open(location)
  t.is(db.recovery?.seq, expected.seq - 1, 'the batches before the torn one')
  t.is(db.recovery?.bytesTruncated, bytes.length - 2 - (readSegment(new Uint8Array(bytes)) as { frames: Array<{ offset: number }> }).frames[3].offset)
  await db.close()
})
