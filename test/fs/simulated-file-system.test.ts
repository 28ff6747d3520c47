/**
 * The simulated file system: live semantics, what survives which crash, the
 * crash images it makes, and the faults it injects.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { crashImages } from '../util/sim/crash-images'
import type { CrashImage } from '../util/sim/crash-images'
import { seededRandom } from '../util/sim/prng'
import type { DiskState } from '../util/sim/disk-state'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

// The files under /d in a disk state, as name -> content.
async function filesOf (state: DiskState): Promise<Record<string, string>> {
  const fs = new SimulatedFileSystem({ state })
  const out: Record<string, string> = {}
  if (await fs.stat('/d') === null) return out
  for (const name of (await fs.readdir('/d')).sort()) out[name] = dec(await fs.readFile(`/d/${name}`))
  return out
}

function images (fs: SimulatedFileSystem, limit = 1000): CrashImage[] {
  return crashImages(fs.snapshot(), { random: seededRandom(7), limit })
}

async function fresh (): Promise<SimulatedFileSystem> {
  const fs = new SimulatedFileSystem()
  await fs.mkdir('/d')
  await fs.syncDirectory('/')
  await fs.syncDirectory('/d')
  return fs
}

async function createSynced (fs: SimulatedFileSystem, name: string, content: string): Promise<void> {
  const h = await fs.open(`/d/${name}`, 'create')
  await h.write(enc(content), 0)
  await h.sync()
  await h.close()
  await fs.syncDirectory('/d')
}

test('simulated fs: live reads see unsynced data; errors carry errno codes', async t => {
  const fs = await fresh()
  const h = await fs.open('/d/f', 'create')
  await h.write(enc('hello'), 0)
  await h.write(enc('J'), 0)
  t.equal(dec(await fs.readFile('/d/f')), 'Jello')
  t.equal(await h.size(), 5)
  await h.truncate(2)
  t.equal(dec(await fs.readFile('/d/f')), 'Je')
  const codes: string[] = []
  for (const attempt of [
    async () => await fs.open('/d/f', 'create'),
    async () => await fs.open('/d/missing', 'read'),
    async () => await fs.rmdir('/d'),
    async () => await fs.unlink('/d/missing'),
    async () => { await h.close(); await h.write(enc('x'), 0) }
  ]) {
    try { await attempt(); codes.push('none') } catch (err) { codes.push((err as { code: string }).code) }
  }
  t.same(codes, ['EEXIST', 'ENOENT', 'ENOTEMPTY', 'ENOENT', 'EBADF'])
  t.equal(await fs.stat('/d/missing'), null)
  const stat = await fs.stat('/d/f')
  t.same(stat, { isFile: true, isDirectory: false, isSymbolicLink: false, size: 2, id: stat?.id })
  t.same(await fs.lstat('/d/f'), stat, 'no links on the simulated disk: lstat is stat')
  t.notEqual(stat?.id, (await fs.stat('/d'))?.id, 'each file has its own id')
})

test('simulated fs: a power loss keeps only synced data and dir-synced names', async t => {
  const fs = await fresh()
  await createSynced(fs, 'durable', 'old')
  const h = await fs.open('/d/durable', 'readwrite')
  await h.write(enc('-new'), 3)
  const created = await fs.open('/d/unnamed', 'create')
  await created.write(enc('data'), 0)
  await created.sync()
  const all = images(fs)
  t.equal(all[0].model, 'process')
  t.same(await filesOf(all[0].state), { durable: 'old-new', unnamed: 'data' }, 'a process crash keeps everything')
  t.equal(all[1].model, 'power')
  t.same(await filesOf(all[1].state), { durable: 'old' }, 'a power loss drops unsynced data and un-dir-synced creates')
  await h.sync()
  await fs.syncDirectory('/d')
  t.equal(images(fs).length, 1, 'nothing pending: one image')
  t.same(await filesOf(images(fs)[0].state), { durable: 'old-new', unnamed: 'data' })
})

test('simulated fs: a pending rename leaves the old name or the new one, never both or neither', async t => {
  const fs = await fresh()
  await createSynced(fs, 'tmp', 'snapshot')
  await createSynced(fs, 'target', 'older')
  await fs.rename('/d/tmp', '/d/target')
  const seen = new Set<string>()
  for (const image of images(fs)) seen.add(JSON.stringify(await filesOf(image.state)))
  t.same([...seen].sort(), [
    JSON.stringify({ target: 'older', tmp: 'snapshot' }),
    JSON.stringify({ target: 'snapshot' })
  ].sort())
})

test('simulated fs: directory operations are lost in order (prefixes)', async t => {
  const fs = await fresh()
  await createSynced(fs, 'a', 'A')
  await fs.unlink('/d/a')
  const h = await fs.open('/d/b', 'create')
  await h.close()
  const seen = new Set<string>()
  for (const image of images(fs)) seen.add(Object.keys(await filesOf(image.state)).join(','))
  t.same([...seen].sort(), ['', 'a', 'b'].sort(), 'a; nothing; b — never a and b')
})

test('simulated fs: torn, zero-filled and garbage tails of a pending append', async t => {
  const fs = await fresh()
  await createSynced(fs, 'log', 'H')
  const h = await fs.open('/d/log', 'readwrite')
  const data = new Uint8Array(5000).fill(0x61)
  await h.write(data, 1)
  const lengths = new Set<number>()
  let zeros = 0
  let garbage = 0
  for (const image of images(fs)) {
    const content = (await new SimulatedFileSystem({ state: image.state }).readFile('/d/log'))
    lengths.add(content.length)
    const tail = content.subarray(1)
    if (content.length === 5001 && tail.every(b => b === 0)) zeros++
    if (content.length === 5001 && tail.some(b => b !== 0 && b !== 0x61)) garbage++
    t.equal(content[0], 'H'.charCodeAt(0), `${image.label}: synced bytes survive`)
  }
  for (const cut of [512, 1024, 4096]) t.ok(lengths.has(cut), `torn at the ${cut}-byte boundary`)
  t.ok(lengths.has(1) && lengths.has(5001), 'lost and complete')
  t.ok(zeros >= 1 && garbage >= 1, 'size extended with zeros and with garbage')
})

test('simulated fs: reordered images lose an earlier pending write but keep a later one', async t => {
  const fs = await fresh()
  await createSynced(fs, 'log', '')
  const h = await fs.open('/d/log', 'readwrite')
  await h.write(enc('first'), 0)
  await h.write(enc('second'), 5)
  const reordered = images(fs).filter(i => i.reordered)
  t.equal(reordered.length, 1)
  const content = await new SimulatedFileSystem({ state: reordered[0].state }).readFile('/d/log')
  t.same([...content.subarray(0, 5)], [0, 0, 0, 0, 0], 'the hole reads as zeros')
  t.equal(dec(content.subarray(5)), 'second')
  t.notOk(images(fs).filter(i => !i.reordered).some(i => i.label.includes('reordered')))
})

test('simulated fs: a failed fsync drops the pending data from every later image', async t => {
  const fs = await fresh()
  await createSynced(fs, 'f', 'base')
  const h = await fs.open('/d/f', 'readwrite')
  await h.write(enc('+lost'), 4)
  fs.inject({ kind: 'fsync-eio', at: 1 })
  await h.sync().then(() => t.fail('sync should fail'), err => t.equal(err.code, 'EIO'))
  t.equal(dec(await fs.readFile('/d/f')), 'base+lost', 'reads still see the data')
  await h.write(enc('!'), 9)
  await h.sync()
  const outcomes = new Set<string>()
  for (const image of images(fs).filter(i => i.model === 'power')) outcomes.add((await filesOf(image.state)).f)
  t.same([...outcomes], ['base\0\0\0\0\0!'], 'a later successful sync does not bring the dropped bytes back')
  const processImage = images(fs).find(i => i.model === 'process')
  t.equal(processImage === undefined ? null : (await filesOf(processImage.state)).f, 'base+lost!', 'a process crash keeps the page cache')
})

test('simulated fs: injected faults — EIO once, EIO forever, ENOSPC after a short write', async t => {
  const fs = await fresh()
  fs.inject({ kind: 'eio-once', at: 2 })
  const h = await fs.open('/d/f', 'create')
  await h.write(enc('abcd'), 0).then(() => t.fail(), err => t.equal(err.code, 'EIO', 'the 2nd call fails'))
  t.equal(dec(await fs.readFile('/d/f')), '', 'a failed call did nothing')
  await h.write(enc('abcd'), 0)
  t.equal(fs.faultFiredAt, fs.trace.findIndex(e => e.type === 'call' && e.error === 'EIO'))

  fs.inject({ kind: 'enospc', at: 1 })
  await h.write(enc('123456'), 4).then(() => t.fail(), err => t.equal(err.code, 'ENOSPC'))
  t.equal(dec(await fs.readFile('/d/f')), 'abcd123', 'half of the bytes landed')
  const short = fs.trace.find(e => e.type === 'call' && e.error === 'ENOSPC')
  t.ok(short !== undefined && short.type === 'call' && short.data !== undefined && short.data.length === 3, 'the trace records what landed')

  fs.inject({ kind: 'eio-forever', at: 1 })
  const codes: string[] = []
  for (const call of [async () => await fs.readdir('/d'), async () => await h.size(), async () => await fs.stat('/d')]) {
    await call().then(() => codes.push('ok'), err => codes.push(err.code))
  }
  t.same(codes, ['EIO', 'EIO', 'EIO'])
  fs.inject(null)
  t.same((await fs.readdir('/d')).sort(), ['f'])
})

test('simulated fs: the trace records calls, outcomes and marks; states are captured after mutating calls', async t => {
  const fs = new SimulatedFileSystem({ capture: true })
  await fs.mkdir('/d')
  fs.mark('issue', 1, true)
  await fs.stat('/d')
  await fs.syncDirectory('/')
  t.same(fs.trace.map(e => e.type === 'call' ? `${e.op}${e.mutating ? '*' : ''}` : `${e.label}:${e.value}:${String(e.flag)}`),
    ['mkdir*', 'issue:1:true', 'stat', 'syncDirectory*'])
  t.same(fs.states.map(s => s.after), [-1, 0, 3])
})
