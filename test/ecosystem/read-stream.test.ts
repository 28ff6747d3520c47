/**
 * level-read-stream over MerkleLevel: entry, key and value streams over
 * ranges, in both directions, with limits, through a sublevel, and closing
 * the iterator when a stream is destroyed early.
 */
import test from 'tape'
import { EventEmitter, once } from 'node:events'
import { EntryStream, KeyStream, ValueStream } from 'level-read-stream'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

function key (i: number): string {
  return `k${String(i).padStart(4, '0')}`
}

async function collect<T> (stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of stream) items.push(item)
  return items
}

async function filled (n: number): Promise<MerkleLevel> {
  const db = new MerkleLevel(tempLocation(), { sync: false })
  await db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: key(i), value: `v${i}` })))
  return db
}

test('read-stream: entries, keys and values over ranges', async t => {
  // More entries than one nextv(1000) call returns: the stream pulls several times.
  const db = await filled(2500)
  const all = await collect(new EntryStream<string, string>(db))
  t.equal(all.length, 2500, 'every entry')
  t.deepEqual(all[1234], { key: key(1234), value: 'v1234' }, 'entries are {key, value}')
  t.deepEqual(await collect(new KeyStream<string>(db, { gte: key(10), lt: key(13) })), [key(10), key(11), key(12)], 'keys of gte/lt')
  t.deepEqual(await collect(new ValueStream<string, string>(db, { gt: key(10), lte: key(13) })), ['v11', 'v12', 'v13'], 'values of gt/lte')
  t.deepEqual(await collect(new KeyStream<string>(db, { reverse: true, limit: 3 })), [key(2499), key(2498), key(2497)], 'reverse with a limit')
  t.deepEqual(await collect(new EntryStream<string, string>(db, { gte: 'z' })), [], 'an empty range')
  await db.close()
})

test('read-stream: a stream reads the version of when it started', async t => {
  const db = await filled(3000)
  const stream = new KeyStream<string>(db, { highWaterMark: 10 })
  const first: string[] = []
  for await (const k of stream) {
    first.push(k)
    // Writes made while the stream runs are not seen by it (the iterator's implicit snapshot).
    if (first.length === 1) await db.batch([{ type: 'del', key: key(2999) }, { type: 'put', key: 'k9999', value: 'late' }])
  }
  t.equal(first.length, 3000, 'all of the original keys, nothing added')
  t.equal(first[2999], key(2999), 'including the one deleted meanwhile')
  await db.close()
})

test('read-stream: a stream destroyed early closes; streams over a sublevel', async t => {
  const db = await filled(10)
  const stream = new EntryStream<string, string>(db, { highWaterMark: 1 })
  const events = stream as unknown as EventEmitter & { destroy: () => void, pause: () => void }
  const [first] = await once(events, 'data') as [unknown]
  events.pause()
  t.deepEqual(first, { key: key(0), value: 'v0' }, 'first entry')
  events.destroy()
  await once(events, 'close')
  t.is((stream as unknown as { destroyed: boolean }).destroyed, true, 'destroyed after one entry, the stream closed')
  const sub = db.sublevel<string, { n: number }>('things', { valueEncoding: 'json' })
  await sub.batch([{ type: 'put', key: 'a', value: { n: 1 } }, { type: 'put', key: 'b', value: { n: 2 } }])
  t.deepEqual(await collect(new EntryStream<string, { n: number }>(sub)), [{ key: 'a', value: { n: 1 } }, { key: 'b', value: { n: 2 } }], 'a sublevel streams its own entries, decoded')
  t.equal((await collect(new KeyStream<string>(db))).length, 12, 'the root database sees them too, prefixed')
  await db.close()
  t.equal(db.status, 'closed', 'the database closed')
})
