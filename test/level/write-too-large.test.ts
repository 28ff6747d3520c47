/**
 * A batch whose log record would exceed what one frame holds is refused with
 * LEVEL_WRITE_TOO_LARGE before anything is queued or written, whatever the
 * write: put, del, batch, chained batch, ranged clear. The log is unchanged,
 * the database stays usable, and a reopen finds exactly the earlier state.
 * (The large buffers are never filled: only their length is read.)
 */
import test from 'tape'
import { asyncCodeOf } from '../util/codes'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_BATCH_BYTES } from '../../lib/store/engine'
import { MAX_PAYLOAD_LENGTH } from '../../lib/wal/format'
import { dump, openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { tempLocation } from '../util/temp'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

// Every file of the database with its size: the log must not grow by a byte.
function files (location: string): string[] {
  return readdirSync(location).filter(n => n !== 'LOCK').sort().map(n => `${n}:${statSync(join(location, n)).size}`)
}

const huge = (): Uint8Array => new Uint8Array(MAX_BATCH_BYTES + 10)
// 1025 operations sharing one MiB value: more than MAX_BATCH_BYTES together, none alone.
const mib = new Uint8Array(1 << 20)
const manyOps = (): Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> =>
  Array.from({ length: 1025 }, (_, i) => ({ type: 'put' as const, key: bytes(`big-${i}`), value: mib }))

const cases: Array<[string, (db: ByteDb) => Promise<unknown>]> = [
  ['put of one value over the limit', async db => await db.put(bytes('k'), huge())],
  ['del of a key over the limit', async db => await db.del(huge())],
  ['batch of one value over the limit', async db => await db.batch([{ type: 'put', key: bytes('k'), value: huge() }])],
  ['batch whose sum is over the limit', async db => await db.batch(manyOps())],
  ['chained batch whose sum is over the limit', async db => {
    const batch = db.batch()
    for (const op of manyOps()) batch.put(op.key, op.value)
    await batch.write()
  }],
  ['put through a prewrite hook that adds too much', async db => {
    const hook: Parameters<typeof db.hooks.prewrite.add>[0] = (op, batch) => {
      if (op.type === 'put') for (const extra of manyOps()) batch.add(extra)
    }
    db.hooks.prewrite.add(hook)
    try {
      await db.put(bytes('hooked'), bytes('v'))
    } finally {
      db.hooks.prewrite.delete(hook)
    }
  }],
  ['clear with a range bound over the limit', async db => await db.clear({ gte: huge() })]
]

test('write too large: the limit is a frame payload', t => {
  t.is(MAX_BATCH_BYTES, MAX_PAYLOAD_LENGTH)
  t.end()
})

for (const [name, write] of cases) {
  test(`write too large: ${name} is refused and nothing is written`, async t => {
    const location = tempLocation('too-large')
    let db = await openBytes(location, { checkpointBytes: 0 })
    await db.put(bytes('a'), bytes('1'))
    await db.batch([{ type: 'put', key: bytes('b'), value: bytes('2') }, { type: 'del', key: bytes('a') }])
    const before = await dump(db)
    const filesBefore = files(location)

    t.is(await asyncCodeOf(async () => await write(db)), 'LEVEL_WRITE_TOO_LARGE')
    t.same(files(location), filesBefore, 'the log did not grow')
    t.same(await dump(db), before, 'the state is unchanged')

    // Still usable (the write after it commits); a reopen has exactly the earlier state and that write.
    await db.put(bytes('c'), bytes('3'))
    await db.close()
    db = await openBytes(location, { checkpointBytes: 0 })
    t.same(await dump(db), [...before, '63=33'])
    t.is(db.recovery?.bytesTruncated, 0, 'nothing torn at the log tail')
    await db.close()
  })
}
