/**
 * A snapshot large enough that open() lays out its tree in a worker:
 * the reloaded tree has the same entries and root, and every cached hash
 * is right.
 */
import test from 'tape'
import { randomBytes } from 'node:crypto'
import { tempLocation } from '../util/temp'
import { openBytes } from '../util/db'
import { toHex } from '../../lib/bytes'
import { PARALLEL_THRESHOLD } from '../../lib/store/snapshot-layout'

test(`large snapshot: ${PARALLEL_THRESHOLD + 10000} entries reload with the same root`, async t => {
  const count = PARALLEL_THRESHOLD + 10000
  const location = tempLocation('large')
  let db = await openBytes(location, { checkpointBytes: 0 })
  const data = randomBytes(count * 40)
  for (let i = 0; i < count; i += 5000) {
    const ops = []
    for (let j = i; j < Math.min(count, i + 5000); j++) {
      ops.push({ type: 'put' as const, key: data.subarray(j * 40, j * 40 + 12), value: data.subarray(j * 40 + 12, j * 40 + 12 + (j % 29)) })
    }
    await db.batch(ops, { sync: false } as object)
  }
  const root = toHex(await db.root())
  await db.checkpoint()
  await db.close()
  db = await openBytes(location)
  t.is(db.recovery?.snapshot?.seq, Math.ceil(count / 5000), 'loaded from the snapshot')
  t.is(db.recovery?.entries, count)
  t.is(toHex(await db.root()), root, 'same root')
  const report = await db.check()
  t.same(report.problems, [], 'integrity check finds every cached hash right')
  const j = 4321
  const value = await db.get(data.subarray(j * 40, j * 40 + 12)) as Uint8Array
  t.same(Array.from(value), Array.from(data.subarray(j * 40 + 12, j * 40 + 12 + (j % 29))))
  // The worker reads a copy of the file in shared memory; what users get must not be shared
  // memory, which some APIs refuse (a fetch Response body, for one).
  t.ok(value.buffer instanceof ArrayBuffer, 'values loaded from the snapshot are views of an ordinary ArrayBuffer')
  t.is((await new Response(value).arrayBuffer()).byteLength, value.length, 'and a Response takes one as its body')
  await db.close()
})
