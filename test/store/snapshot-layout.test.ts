/**
 * The layout of a large snapshot computed by a worker in shared memory
 * equals the one computed on this thread, array by array; when the shared
 * copy differs from the bytes read, the layout is computed again from those;
 * damaged entry lengths are reported by both; a cancelled layout says so.
 */
import test from 'tape'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PARALLEL_THRESHOLD, layoutHere, layoutSnapshot, worthAWorker } from '../../lib/store/snapshot-layout'
import { SNAPSHOT_FOOTER_SIZE, SNAPSHOT_HEADER_SIZE, encodeSnapshotHeader } from '../../lib/snapshot/format'
import { writeVarint } from '../../lib/bytes'
import type { TreeLayout } from '../../lib/tree/build'

const params = { salt: Uint8Array.of(1, 2, 3) }

// A snapshot's bytes in shared memory: a blank header, `count` entries with keys of 3 to 22 bytes
// (ascending: a 3-byte counter leads each) and values of 0 to 60 bytes, a blank footer. The
// layout reads only the entries.
function snapshotBytes (count: number): Uint8Array {
  const entries: Array<[Uint8Array, Uint8Array]> = []
  const noise = randomBytes(count * 80)
  for (let i = 0; i < count; i++) {
    const key = new Uint8Array(3 + (i % 20))
    key.set([i >>> 16, (i >>> 8) & 0xff, i & 0xff])
    key.set(noise.subarray(i * 80, i * 80 + key.length - 3), 3)
    entries.push([key, noise.subarray(i * 80 + 20, i * 80 + 20 + (i * 7) % 61)])
  }
  const size = entries.reduce((n, [k, v]) => n + 2 + k.length + 2 + v.length, SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE)
  const bytes = new Uint8Array(new SharedArrayBuffer(size))
  let at = SNAPSHOT_HEADER_SIZE
  for (const [k, v] of entries) {
    at = writeVarint(bytes, at, k.length)
    bytes.set(k, at)
    at = writeVarint(bytes, at + k.length, v.length)
    bytes.set(v, at)
    at += v.length
  }
  return bytes.subarray(0, at + SNAPSHOT_FOOTER_SIZE)
}

const ARRAYS = ['priorities', 'valueHashes', 'left', 'right', 'order', 'nodeHashes', 'top'] as const

function differences (a: TreeLayout, b: TreeLayout): string[] {
  return ARRAYS.filter(name => Buffer.compare(Buffer.from(a[name].buffer), Buffer.from(b[name].buffer)) !== 0)
}

const count = PARALLEL_THRESHOLD + 12345
const shared = snapshotBytes(count)
const bytes = Uint8Array.from(shared)

test('snapshot layout: a worker gives exactly what this thread gives', async t => {
  const job = layoutSnapshot(bytes, shared, count, params)
  const hereRead = layoutHere(bytes, count, params)
  const thereRead = await job.result
  if (!hereRead.ok || !thereRead.ok) {
    t.fail(`no layout: ${JSON.stringify(hereRead)}, ${JSON.stringify(thereRead)}`)
    return
  }
  const here = hereRead.layout
  const there = thereRead.layout
  t.ok(there.order.buffer instanceof SharedArrayBuffer, 'the worker wrote into shared memory')
  t.same(differences(here, there), [], `all seven arrays equal for ${count} entries`)
  t.ok(there.priorities.some(p => p !== 0) && there.nodeHashes.some(b => b !== 0), 'hashes were computed')
  t.same(Array.from(new Set(there.order)).length, count, 'every entry is finished once')
})

test('snapshot layout: a shared copy that differs from the bytes read is laid out again from those bytes', async t => {
  const other = new Uint8Array(new SharedArrayBuffer(shared.length))
  other.set(shared)
  other[other.length - SNAPSHOT_FOOTER_SIZE - 1] ^= 1
  const laidOutRead = await layoutSnapshot(bytes, other, count, params).result
  const hereRead = layoutHere(bytes, count, params)
  if (!laidOutRead.ok || !hereRead.ok) {
    t.fail(`no layout: ${JSON.stringify(laidOutRead)}, ${JSON.stringify(hereRead)}`)
    return
  }
  const laidOut = laidOutRead.layout
  const here = hereRead.layout
  t.notOk(laidOut.order.buffer instanceof SharedArrayBuffer, 'laid out on this thread')
  t.same(differences(laidOut, here), [], 'from the bytes read')
})

test('snapshot layout: when the worker cannot start or dies without replying, the layout is computed here', async t => {
  const here = layoutHere(bytes, count, params)
  const dir = mkdtempSync(join(tmpdir(), 'layout-worker-'))
  const silent = join(dir, 'exits.js')
  writeFileSync(silent, 'process.exit(0)\n')
  const crashing = join(dir, 'throws.js')
  writeFileSync(crashing, 'throw new Error("no layout today")\n')
  for (const [what, file] of [['a missing script', join(dir, 'missing.js')], ['a worker that exits', silent], ['a worker that throws', crashing]]) {
    const laidOut = await layoutSnapshot(bytes, shared, count, params, file).result
    if (!laidOut.ok || !here.ok) {
      t.fail(`${what}: no layout: ${JSON.stringify(laidOut)}`)
      continue
    }
    t.notOk(laidOut.layout.order.buffer instanceof SharedArrayBuffer, `${what}: laid out on this thread`)
    t.same(differences(laidOut.layout, here.layout), [], `${what}: the same layout`)
  }
  rmSync(dir, { recursive: true, force: true })
})

test('snapshot layout: damaged entry lengths are reported by the worker and by this thread', async t => {
  // Entry 0's key length, a one-byte varint, made to run past the end of the file.
  const damaged = new Uint8Array(new SharedArrayBuffer(bytes.length))
  damaged.set(bytes)
  damaged.set([0xff, 0xff, 0xff, 0x7f], SNAPSHOT_HEADER_SIZE)
  const damagedCopy = Uint8Array.from(damaged)
  t.same(await layoutSnapshot(damagedCopy, damaged, count, params).result, { ok: false, problem: 'malformed entry 0' }, 'worker')
  t.same(layoutHere(damagedCopy, count, params), { ok: false, problem: 'malformed entry 0' }, 'this thread')
  t.same(await layoutSnapshot(bytes, shared, count + 1, params).result, { ok: false, problem: `malformed entry ${count}` }, 'fewer entries than counted')
  t.same(await layoutSnapshot(bytes, shared, count - 1, params).result, { ok: false, problem: `more than ${count - 1} entries` }, 'more entries than counted')
})

test('snapshot layout: a cancelled layout says so', async t => {
  const job = layoutSnapshot(bytes, shared, count, params)
  job.cancel()
  t.same(await job.result, { ok: false, problem: 'cancelled' })
})

test('snapshot layout: a worker is worth it from the count in the header on', t => {
  const head = (count: number): Uint8Array => encodeSnapshotHeader({ identity: new Uint8Array(64), seq: 1, count, root: new Uint8Array(32) })
  t.is(worthAWorker(head(PARALLEL_THRESHOLD - 1)), false, `${PARALLEL_THRESHOLD - 1} entries`)
  t.is(worthAWorker(head(PARALLEL_THRESHOLD)), true, `${PARALLEL_THRESHOLD} entries`)
  const damaged = head(PARALLEL_THRESHOLD)
  damaged[90] ^= 1
  t.is(worthAWorker(damaged), false, 'a header that does not check out')
  t.is(worthAWorker(head(PARALLEL_THRESHOLD).subarray(0, 100)), false, 'a file shorter than a header')
  t.end()
})
