/**
 * FileHandle.readSync reads what FileHandle.read reads, on every
 * implementation: the same count, the same bytes, the same error after close.
 * On the simulated disk it is traced and failed as a read.
 */
import test from 'tape'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FileHandle, FileSystem } from '../../lib/fs/file-system'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { readOnlyFileSystem } from '../../lib/fs/read-only-file-system'
import { watchSyncs } from '../../lib/fs/sync-watch'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { crashImages } from '../util/sim/crash-images'
import { seededRandom } from '../util/sim/prng'
import { withKillPoint } from '../util/kill-point-file-system'
import type { KillPointCall } from '../util/kill-point-file-system'
import { asyncCodeOf, codeOf } from '../util/codes'
import { tempLocation } from '../util/temp'

const CONTENT = 'hello, world'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

// A file system holding CONTENT at the returned path.
interface Fixture { fs: FileSystem, path: string }

function onDisk (wrap: (fs: FileSystem) => FileSystem = fs => fs): Fixture {
  const dir = tempLocation('read-sync')
  mkdirSync(dir)
  const path = join(dir, 'f')
  writeFileSync(path, CONTENT)
  return { fs: wrap(nodeFileSystem), path }
}

// On the simulated disk, the tail is written but not synced: a live read sees it.
async function simulated (): Promise<SimulatedFileSystem> {
  const fs = new SimulatedFileSystem()
  await fs.mkdir('/d')
  const h = await fs.open('/d/f', 'create')
  await h.write(enc(CONTENT.slice(0, 7)), 0)
  await h.sync()
  await h.write(enc(CONTENT.slice(7)), 7)
  await h.close()
  await fs.syncDirectory('/')
  await fs.syncDirectory('/d')
  return fs
}

// A process crash keeps the page cache: the image holds all of CONTENT, the unsynced tail too.
async function crashImage (): Promise<SimulatedFileSystem> {
  const images = crashImages((await simulated()).snapshot(), { random: seededRandom(3), limit: 100 })
  const image = images.find(i => i.model === 'process')
  if (image === undefined) throw new Error('no process-crash image')
  return new SimulatedFileSystem({ state: image.state })
}

const IMPLEMENTATIONS: Array<[string, () => Promise<Fixture>]> = [
  ['node', async () => onDisk()],
  ['read-only over node', async () => onDisk(fs => readOnlyFileSystem(fs))],
  ['sync-watch over node', async () => onDisk(fs => watchSyncs(fs, () => {}))],
  ['kill-point over node', async () => onDisk(fs => withKillPoint(fs, { matches: () => false, nth: 1, when: 'before', onPoint: () => {} }))],
  ['simulated, unsynced tail', async () => ({ fs: await simulated(), path: '/d/f' })],
  ['simulated, process-crash image', async () => ({ fs: await crashImage(), path: '/d/f' })],
  ['kill-point over simulated', async () => ({ fs: withKillPoint(await simulated(), { matches: () => false, nth: 1, when: 'before', onPoint: () => {} }), path: '/d/f' })]
]

// [case, buffer length, position, count expected, bytes expected]
const READS: Array<[string, number, number, number, string]> = [
  ['a full read', 5, 7, 5, 'world'],
  ['a read crossing the end', 8, 9, 3, 'rld'],
  ['a read at the end', 4, CONTENT.length, 0, ''],
  ['a read past the end', 4, CONTENT.length + 10, 0, ''],
  ['an empty buffer', 0, 0, 0, '']
]

// Both reads into buffers filled alike: bytes beyond the count must be left as they were.
async function bothReads (handle: FileHandle, length: number, position: number): Promise<{ async: [number, Uint8Array], sync: [number, Uint8Array] }> {
  const a = new Uint8Array(length).fill(0xee)
  const s = new Uint8Array(length).fill(0xee)
  return { async: [await handle.read(a, position), a], sync: [handle.readSync(s, position), s] }
}

for (const [name, fixture] of IMPLEMENTATIONS) {
  test(`readSync (${name}): reads what read reads`, async t => {
    const { fs, path } = await fixture()
    const handle = await fs.open(path, 'read')
    for (const [what, length, position, count, bytes] of READS) {
      const { async, sync } = await bothReads(handle, length, position)
      t.equal(sync[0], async[0], `${what}: the count read returns`)
      t.same(sync[1], async[1], `${what}: the buffer read fills`)
      t.equal(sync[0], count, `${what}: ${count} bytes`)
      t.equal(dec(sync[1].subarray(0, count)), bytes, `${what}: '${bytes}'`)
      t.ok(sync[1].subarray(count).every(b => b === 0xee), `${what}: nothing written past the count`)
    }
    await handle.close()
    const asyncCode = await asyncCodeOf(async () => await handle.read(new Uint8Array(4), 0))
    const syncCode = codeOf(() => handle.readSync(new Uint8Array(4), 0))
    t.equal(syncCode, asyncCode, 'after close: the error read rejects with')
    t.equal(syncCode, 'EBADF', 'after close: EBADF')
  })
}

test('readSync (node): an error names the file, as read\'s does', async t => {
  const { fs, path } = onDisk()
  const handle = await fs.open(path, 'read')
  await handle.close()
  const errorOf = async (read: () => Promise<unknown>): Promise<{ path?: string, syscall?: string }> =>
    await read().then(() => ({}), (err: { path?: string, syscall?: string }) => ({ path: err.path, syscall: err.syscall }))
  const fromAsync = await errorOf(async () => await handle.read(new Uint8Array(1), 0))
  const fromSync = await errorOf(async () => handle.readSync(new Uint8Array(1), 0))
  t.same(fromSync, fromAsync)
  t.same(fromSync, { path, syscall: 'read' })
})

test('readSync (simulated): traced as a read and failed by the faults that fail reads', async t => {
  const fs = await simulated()
  const handle = await fs.open('/d/f', 'read')
  const start = fs.trace.length
  fs.inject({ kind: 'eio-once', at: 2 })
  const buffer = new Uint8Array(5)
  t.equal(handle.readSync(buffer, 0), 5, 'the 1st call works')
  t.equal(codeOf(() => handle.readSync(buffer, 7)), 'EIO', 'the 2nd call fails')
  t.equal(fs.faultFiredAt, start + 1)
  t.equal(handle.readSync(buffer, 7), 5, 'later calls work')
  t.equal(dec(buffer), 'world')
  t.same(fs.trace.slice(start).map(e => e.type === 'call' ? [e.op, e.offset, e.length, e.error ?? 'ok', e.mutating] : e.label),
    [['read', 0, 5, 'ok', false], ['read', 7, 5, 'EIO', false], ['read', 7, 5, 'ok', false]])

  fs.inject({ kind: 'eio-forever', at: 1 })
  t.same([await asyncCodeOf(async () => await handle.read(buffer, 0)), codeOf(() => handle.readSync(buffer, 0))], ['EIO', 'EIO'])
  fs.inject({ kind: 'fsync-eio', at: 1 })
  t.equal(handle.readSync(buffer, 0), 5, 'a fault of syncs leaves reads alone')
  fs.inject(null)
  await handle.close()
})

test('readSync (kill-point): a read point, before or after, as read is', async t => {
  for (const when of ['before', 'after'] as const) {
    const { fs, path } = onDisk()
    const points: Array<[KillPointCall, string]> = []
    let buffer = new Uint8Array(5)
    const killing = withKillPoint(fs, {
      matches: call => call.op === 'read',
      nth: 2,
      when,
      onPoint: call => { points.push([call, dec(buffer)]) }
    })
    const handle = await killing.open(path, 'read')
    await handle.read(new Uint8Array(1), 0)
    buffer = new Uint8Array(5)
    t.equal(handle.readSync(buffer, 7), 5)
    t.same(points, [[{ op: 'read', path }, when === 'before' ? '\0\0\0\0\0' : 'world']], `${when}: the 2nd read, a readSync, is the point`)
    await handle.close()
  }
})
