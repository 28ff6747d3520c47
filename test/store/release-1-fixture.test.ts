/**
 * The database of test/fixtures/release-1 (see its README.md), written by the
 * release whose snapshots are of version 1, opens with the entries and root it
 * was written with, and again after a close. It is opened as a copy: the
 * committed files are pinned byte for byte, so that a later release is held
 * to exactly what that release wrote.
 */
import test from 'tape'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SNAPSHOT_MAGIC, decodeSnapshotHeader } from '../../lib/snapshot/format'
import { IMAGE_VERSION } from '../../lib/image/format'
import { snapshotName } from '../../lib/store/file-names'
import { readSegment } from '../../lib/wal/reader'
import { WAL_VERSION } from '../../lib/wal/format'
import { fromHex, toHex } from '../../lib/bytes'
import { dump, openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { naiveRoot } from '../util/naive-root'
import { tempLocation } from '../util/temp'

const fixture = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'release-1')
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
  files: string[]
  snapshotSeq: number
  seq: number
  salt: string
  count: number
  root: string
  entries: Array<[string, string]>
}
const SNAPSHOT = 'snapshot-00000000000000000060.mls'
const SEGMENTS = ['wal-00000000000000000002.log', 'wal-00000000000000000003.log']

// The SHA-256 of every committed file of the database, as written at c02c406.
const PINNED: Record<string, string> = {
  'snapshot-00000000000000000060.mls': '77230c67cee0d28c016ceba121cb54d83c3865466940d730434c9589e127371f',
  'wal-00000000000000000002.log': '266460c96e9ed7e98d717bea132cfd33b6ac3098814c0d9572c7d503839425ee',
  'wal-00000000000000000003.log': 'ae9bb13845c15aa7f45a17df2070baf0be7fa39f3d0999fa643283dfaedabc4b'
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')
const expectedDump = expected.entries.map(([k, v]) => `${k}=${v}`)

function copy (): string {
  const location = tempLocation('release-1')
  cpSync(join(fixture, 'db'), location, { recursive: true })
  return location
}

async function checkState (t: test.Test, db: ByteDb, when: string): Promise<void> {
  t.is(db.recovery?.seq, expected.seq, `${when}: every batch`)
  t.is(db.recovery?.entries, expected.count, `${when}: entry count reported`)
  t.is(db.recovery?.root, expected.root, `${when}: root reported`)
  t.same(await dump(db), expectedDump, `${when}: entries`)
  t.is(toHex(await db.root()), expected.root, `${when}: root`)
}

test('release-1 fixture: the committed files are the ones written at c02c406', t => {
  t.same(readdirSync(fixture).sort(), ['README.md', 'db', 'expected.json'], 'the fixture directory')
  t.same(readdirSync(join(fixture, 'db')).sort(), [SNAPSHOT, ...SEGMENTS], 'the database directory (no LOCK)')
  t.same(expected.files, [SNAPSHOT, ...SEGMENTS], 'expected.json names the same files')
  for (const name of Object.keys(PINNED)) t.is(sha256(join(fixture, 'db', name)), PINNED[name], `${name} unchanged`)
  t.end()
})

test('release-1 fixture: a version 1 snapshot of 300 entries, then two segments of version 2', t => {
  const decoded = decodeSnapshotHeader(new Uint8Array(readFileSync(join(fixture, 'db', SNAPSHOT))))
  t.ok(decoded.ok, 'a snapshot header of version 1')
  if (decoded.ok) {
    t.is(decoded.header.seq, expected.snapshotSeq, 'the snapshot of batch 60')
    t.is(decoded.header.count, 300, '300 entries')
  }
  let frames = 0
  for (const name of SEGMENTS) {
    const read = readSegment(new Uint8Array(readFileSync(join(fixture, 'db', name))))
    t.ok(read.ok && read.header.version === WAL_VERSION, `${name} is of version 2`)
    t.ok(read.ok && read.frames.length > 0, `${name} holds batches`)
    frames += read.ok ? read.frames.length : 0
  }
  t.is(frames, expected.seq - expected.snapshotSeq, 'one frame per batch after the snapshot')
  t.end()
})

test('release-1 fixture: expected.json agrees with itself and with the naive root', t => {
  t.is(expected.entries.length, expected.count, 'count')
  const keys = expected.entries.map(([k]) => Buffer.from(k, 'hex'))
  t.ok(keys.every((k, i) => i === 0 || Buffer.compare(keys[i - 1], k) < 0), 'keys strictly ascending')
  const entries = expected.entries.map(([k, v]): [Uint8Array, Uint8Array] => [fromHex(k), fromHex(v)])
  t.is(naiveRoot(entries, fromHex(expected.salt)).toString('hex'), expected.root, 'naive root')
  t.end()
})

test('release-1 fixture: opens with its entries and root, and again after a close; the committed files stay as they are', async t => {
  const location = copy()
  const db = await openBytes(location)
  t.is(db.recovery?.snapshot?.seq, expected.snapshotSeq, 'the snapshot is loaded')
  t.is(db.recovery?.recordsReplayed, expected.seq - expected.snapshotSeq, 'the log is replayed after it')
  await checkState(t, db, 'first open')
  await db.close()
  // Opening migrated the version 1 snapshot: a checkpoint of the state after the replay wrote a
  // version 2 base image, named by its seq, and retired the version 1 snapshot and the log.
  const image = snapshotName(expected.seq)
  t.same(readdirSync(location).filter(n => n.endsWith('.mls')), [image], 'one snapshot after the first open: the image of every batch')
  const migrated = readFileSync(join(location, image))
  t.same([...migrated.subarray(0, 8)], [...SNAPSHOT_MAGIC], 'the image begins with the snapshot magic')
  t.is(migrated.readUInt32LE(8), IMAGE_VERSION, 'of format version 2')
  t.is(IMAGE_VERSION, 2)
  const again = await openBytes(location)
  t.same(again.recovery?.snapshot, { file: image, seq: expected.seq, bytes: migrated.length }, 'reopened from the image')
  t.is(again.recovery?.recordsReplayed, 0, 'nothing left to replay')
  await checkState(t, again, 'reopened')
  await again.close()
  t.same(readFileSync(join(location, image)), migrated, 'no second migration: the image is unchanged by the second open')
  t.notOk(existsSync(join(fixture, 'db', 'LOCK')), 'no lock in the fixture')
  t.same(readdirSync(join(fixture, 'db')).sort(), [SNAPSHOT, ...SEGMENTS], 'the fixture directory is untouched')
  for (const name of Object.keys(PINNED)) t.is(sha256(join(fixture, 'db', name)), PINNED[name], `${name} unchanged`)
})
