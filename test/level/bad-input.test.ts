/**
 * Bad input gets a clear error and loses nothing: keys and values of any
 * bytes and sizes; locations that are files or missing; files in the
 * directory that are not ours, truncated or hostile.
 */
import test from 'tape'
import { join } from 'node:path'
import { mkdirSync, writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'
import { causeCode, openBytes } from '../util/db'
import { FRAME_HEADER_SIZE_V1, WAL_VERSION_1, encodeSegmentHeader, saltSeed, sealFrameV1 } from '../../lib/wal/format'
import { encodeSnapshotHeader } from '../../lib/snapshot/format'
import { encodeIdentity } from '../../lib/store/identity'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { writeU32LE } from '../../lib/bytes'
import { crc32c } from '../../lib/checksum'

test('bad input: keys and values of any bytes and sizes round-trip and persist', async t => {
  const location = tempLocation('bytes')
  let db = await openBytes(location)
  const mb = new Uint8Array(3 << 20).map((_, i) => (i * 31) & 0xff)
  const cases: Array<[Uint8Array, Uint8Array]> = [
    [new Uint8Array(0), new Uint8Array(0)],
    [Uint8Array.of(0), Uint8Array.of(0)],
    [Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)],
    [Uint8Array.of(0, 0, 0), new Uint8Array(256).map((_, i) => i)],
    [mb.subarray(0, 100000), mb]
  ]
  for (const [k, v] of cases) await db.put(k, v)
  const check = async (label: string): Promise<void> => {
    const wrong: string[] = []
    for (const [k, v] of cases) {
      const got = await db.get(k)
      if (got === undefined || Buffer.compare(got, v) !== 0) wrong.push(`key of ${k.length} bytes`)
    }
    t.same(wrong, [], `${label}: ${cases.length} entries intact`)
  }
  await check('in memory')
  await db.close()
  db = await openBytes(location)
  await check('after reopen from the log')
  await db.checkpoint()
  await db.close()
  db = await openBytes(location)
  await check('after reopen from a snapshot')
  await db.close()
})

test('bad input: a location that is a file, or missing with createIfMissing false', async t => {
  const file = tempLocation('file')
  writeFileSync(file, 'not a directory')
  const db = new MerkleLevel(file)
  try { await db.open(); t.fail('opened') } catch (err) {
    t.is((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN')
    t.is(causeCode(err), 'LEVEL_IO_ERROR')
  }
  const missing = new MerkleLevel(tempLocation('missing'), { createIfMissing: false } as never)
  try { await missing.open(); t.fail('opened') } catch (err) {
    t.is((err as { code?: string }).code, 'LEVEL_DATABASE_NOT_OPEN')
    t.is((err as { cause?: { code?: string } }).cause?.code, 'LEVEL_DATABASE_NOT_OPEN', 'the cause says the database does not exist')
  }
  t.throws(() => new MerkleLevel(''), TypeError)
  t.throws(() => new MerkleLevel(undefined as unknown as string), TypeError)
})

function identity (): Uint8Array {
  return encodeIdentity({ id: new Uint8Array(16).fill(1), params: DEFAULT_PARAMS })
}

async function expectCorrupt (t: test.Test, location: string, label: string): Promise<void> {
  const db = new MerkleLevel(location)
  try {
    await db.open()
    t.fail(`${label}: opened`)
    await db.close()
  } catch (err) {
    t.is(causeCode(err), 'LEVEL_CORRUPTION', `${label}: LEVEL_CORRUPTION`)
  }
}

test('bad input: hostile files are refused with LEVEL_CORRUPTION, never a crash or a huge allocation', async t => {
  // A segment that claims a 1 GiB frame, a valid frame after garbage (version 1 frames, which
  // record no durable mark: any valid frame after damage makes it corruption), and a snapshot
  // claiming 2^40 entries.
  const header = encodeSegmentHeader({ version: WAL_VERSION_1, identity: identity(), segment: 1, firstSeq: 1, salt: 0 })
  const frameHeader = new Uint8Array(FRAME_HEADER_SIZE_V1)
  writeU32LE(frameHeader, 0, 0x3fffffff)
  writeU32LE(frameHeader, 8, crc32c(frameHeader.subarray(0, 8), crc32c(new Uint8Array(4))))
  const validFrame = new Uint8Array(FRAME_HEADER_SIZE_V1 + 5)
  validFrame.set([1, 2, 3, 4, 5], FRAME_HEADER_SIZE_V1)
  sealFrameV1(validFrame, 0, 5, saltSeed(0))
  let location = tempLocation('hostile')
  mkdirSync(location, { recursive: true })
  writeFileSync(join(location, 'wal-00000000000000000001.log'), Buffer.concat([header, frameHeader, Buffer.alloc(64, 0xab), validFrame]))
  await expectCorrupt(t, location, 'absurd frame length then data')

  location = tempLocation('hostile')
  mkdirSync(location, { recursive: true })
  const snap = encodeSnapshotHeader({ identity: identity(), seq: 5, count: 2 ** 40, root: new Uint8Array(32) })
  writeFileSync(join(location, 'snapshot-00000000000000000005.mls'), Buffer.concat([snap, Buffer.alloc(100, 0x7f)]))
  await expectCorrupt(t, location, 'snapshot with an absurd count and no log')

  location = tempLocation('hostile')
  mkdirSync(location, { recursive: true })
  writeFileSync(join(location, 'wal-00000000000000000001.log'), Buffer.alloc(4096, 0x41))
  await expectCorrupt(t, location, 'segment that is not ours')

  location = tempLocation('hostile')
  mkdirSync(location, { recursive: true })
  writeFileSync(join(location, 'snapshot-00000000000000000001.mls'), '')
  await expectCorrupt(t, location, 'empty snapshot file and no log')
})

test('bad input: engine options of the wrong kind are refused by the constructor', t => {
  const location = tempLocation('options')
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['negative checkpointBytes', { checkpointBytes: -1 }, "The 'checkpointBytes' option must be a finite number of 0 or more"],
    ['checkpointBytes as a string', { checkpointBytes: '64' }, "The 'checkpointBytes' option must be a finite number of 0 or more"],
    ['overlayBytes of 0', { overlayBytes: 0 }, "The 'overlayBytes' option must be a finite number above 0"],
    ['infinite cacheBytes', { cacheBytes: Infinity }, "The 'cacheBytes' option must be a finite number of 0 or more"],
    ['NaN cacheBytes', { cacheBytes: NaN }, "The 'cacheBytes' option must be a finite number of 0 or more"],
    ['zero mergeRatio', { mergeRatio: 0 }, "The 'mergeRatio' option must be a finite number above 0"],
    ['unknown recovery', { recovery: 'lenient' }, "The 'recovery' option must be 'strict' or 'pointInTime'"],
    ['sync as a string', { sync: 'yes' }, "The 'sync' option must be a boolean"]
  ]
  for (const [label, options, message] of cases) {
    t.throws(() => new MerkleLevel(location, options), (err: Error) => err instanceof TypeError && err.message === message, label)
  }
  t.doesNotThrow(() => new MerkleLevel(location, { checkpointBytes: 0, cacheBytes: 0, mergeRatio: 0.5, recovery: 'pointInTime', sync: false }), 'the edges of each range are accepted')
  t.end()
})
