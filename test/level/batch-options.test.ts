/**
 * db.batch(operations, { sync }) takes a faster path (lib/level/batch-options.ts):
 * the `sync` option must still decide whether the batch is fsynced, and every
 * other option must still reach the operations as abstract-level defines.
 */
import test from 'tape'
import { AbstractLevel } from 'abstract-level'
import { MerkleLevel } from '../../index'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { tempLocation } from '../util/temp'

const syncsOf = (fs: SimulatedFileSystem): number => fs.trace.filter(e => e.type === 'call' && e.op === 'sync').length

test('batch options: { sync } alone still decides whether the batch is synced', async t => {
  const fs = new SimulatedFileSystem()
  const db = new MerkleLevel('/db', { fs, sync: false })
  await db.open()
  let before = syncsOf(fs)
  await db.batch([{ type: 'put', key: 'a', value: '1' }], { sync: true })
  t.is(syncsOf(fs) - before, 1, '{ sync: true } on a sync: false database: one fsync')
  before = syncsOf(fs)
  await db.batch([{ type: 'put', key: 'b', value: '2' }], { sync: false })
  t.is(syncsOf(fs) - before, 0, '{ sync: false }: no fsync')
  before = syncsOf(fs)
  await db.batch([{ type: 'put', key: 'c', value: '3' }], {})
  t.is(syncsOf(fs) - before, 0, '{}: the database default (sync: false)')
  await db.close()

  const fs2 = new SimulatedFileSystem()
  const synced = new MerkleLevel('/db', { fs: fs2 })
  await synced.open()
  before = syncsOf(fs2)
  await synced.batch([{ type: 'put', key: 'a', value: '1' }], { sync: false })
  t.is(syncsOf(fs2) - before, 0, '{ sync: false } on a synced database: no fsync')
  before = syncsOf(fs2)
  await synced.batch([{ type: 'put', key: 'b', value: '2' }])
  t.is(syncsOf(fs2) - before, 1, 'no options: the database default (sync: true)')
  await synced.close()
})

test('batch options: other options still apply to every operation', async t => {
  const db = new MerkleLevel<string, string>(tempLocation('batch-options'), { sync: false })
  await db.open()
  await db.batch([{ type: 'put', key: 'k', value: { n: 1 } as unknown as string }], { sync: false, valueEncoding: 'json' } as object)
  t.same(await db.get('k', { valueEncoding: 'json' }), { n: 1 }, 'a batch-level valueEncoding with sync still encodes every value')
  await db.batch([{ type: 'put', key: 'x', value: '1' }, { type: 'del', key: 'k' }], { sync: false })
  t.same(await db.getMany(['x', 'k']), ['1', undefined], 'puts and dels of a { sync } batch applied')
  const chained = db.batch()
  chained.put('y', '2')
  await chained.write({ sync: false } as object)
  t.is(await db.get('y'), '2', 'the chained form is untouched')
  await db.close()
})

// batch-options.ts exists because of how abstract-level's batch() treats its options. The day
// that changes, this test fails: the replacement may then be unneeded (or wrong) and should go.
test('batch options: abstract-level copies the options into every operation, which the { sync } path avoids', async t => {
  const db = new MerkleLevel<string, string>('/db', { fs: new SimulatedFileSystem(), sync: false })
  await db.open()
  const seen: Array<Record<string, unknown>> = []
  db.hooks.prewrite.add(op => { seen.push(op as unknown as Record<string, unknown>) })
  const inherited = AbstractLevel.prototype.batch as (this: unknown, ops: unknown[], options: object) => Promise<void>
  await inherited.call(db, [{ type: 'put', key: 'a', value: '1' }], { sync: false })
  t.same(Object.hasOwn(seen[0], 'sync') ? seen[0].sync : 'absent', false, "abstract-level's batch() copies sync into the operation")
  await db.batch([{ type: 'put', key: 'b', value: '1' }], { sync: false })
  t.notOk(Object.hasOwn(seen[1], 'sync'), "MerkleLevel's batch() hands sync on inherited, and nothing is copied")
  t.not(MerkleLevel.prototype.batch, AbstractLevel.prototype.batch, 'MerkleLevel replaces batch()')
  await db.close()
})
