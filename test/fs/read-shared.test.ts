/**
 * readFileShared: the whole file in shared memory when the caller wants it
 * after seeing its head; only the head read when not.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { readFileShared } from '../../lib/fs/read-shared'
import type { CallEvent } from '../util/sim/trace'

const content = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff)

async function withFile (): Promise<SimulatedFileSystem> {
  const fs = new SimulatedFileSystem()
  await fs.mkdir('/d')
  const h = await fs.open('/d/f', 'create')
  await h.write(content, 0)
  await h.close()
  return fs
}

function readsOf (fs: SimulatedFileSystem, from: number): Array<[number | undefined, number | undefined]> {
  return fs.trace.slice(from).filter((e): e is CallEvent => e.type === 'call' && e.op === 'read').map(e => [e.offset, e.length])
}

test('readFileShared: the whole file in shared memory when wanted', async t => {
  const fs = await withFile()
  const from = fs.trace.length
  let seen: number[] = []
  const bytes = await readFileShared(fs, '/d/f', 8, head => { seen = Array.from(head); return true })
  t.same(seen, Array.from(content.subarray(0, 8)), 'the head shown is the first 8 bytes')
  t.ok(bytes?.buffer instanceof SharedArrayBuffer, 'in shared memory')
  t.same(Array.from(bytes ?? []), Array.from(content), 'all of it')
  t.same(readsOf(fs, from), [[0, 8], [0, 300]], 'the head, then the whole file')
})

test('readFileShared: only the head is read when the file is not wanted', async t => {
  const fs = await withFile()
  const from = fs.trace.length
  t.is(await readFileShared(fs, '/d/f', 8, () => false), null)
  t.same(readsOf(fs, from), [[0, 8]], 'one read of 8 bytes')
  const calls = fs.trace.slice(from).filter((e): e is CallEvent => e.type === 'call').map(e => e.op)
  t.same(calls, ['open', 'size', 'read', 'close'], 'and the handle is closed')
})

test('readFileShared: a head longer than the file is the whole file', async t => {
  const fs = await withFile()
  let length = -1
  const bytes = await readFileShared(fs, '/d/f', 4096, head => { length = head.length; return true })
  t.is(length, 300)
  t.is(bytes?.length, 300)
})
