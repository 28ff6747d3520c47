/**
 * Every kind of write survives close and reopen: put, del, batch, chained
 * batch, clear (whole and ranged, with limits), writes through prewrite
 * hooks and through sublevels with their own encodings; with and without a
 * checkpoint in between.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

async function reopen (db: MerkleLevel, checkpoint: boolean): Promise<MerkleLevel> {
  if (checkpoint) await db.checkpoint()
  await db.close()
  const next = new MerkleLevel(db.location)
  await next.open()
  return next
}

for (const checkpoint of [false, true]) {
  const mode = checkpoint ? 'with a checkpoint' : 'from the log'
  test(`persistence (${mode}): every kind of write`, async t => {
    let db = new MerkleLevel(tempLocation('persist'))
    await db.put('a', '1')
    await db.put('b', '2')
    await db.del('a')
    await db.batch([{ type: 'put', key: 'c', value: '3' }, { type: 'put', key: 'd', value: '4' }, { type: 'del', key: 'b' }])
    await db.batch().put('e', '5').put('f', '6').del('c').write()
    const abandoned = db.batch().put('never', 'x')
    await abandoned.close()
    db.hooks.prewrite.add((op, batch) => {
      if (op.type === 'put' && op.key === 'hooked') batch.add({ type: 'put', key: 'added-by-hook', value: 'yes' })
    })
    await db.put('hooked', 'h')
    const sub = db.sublevel<string, { n: number }>('json', { valueEncoding: 'json' })
    await sub.put('x', { n: 1 })
    const bin = db.sublevel<Uint8Array, Uint8Array>('bin', { keyEncoding: 'view', valueEncoding: 'view' })
    await bin.put(Uint8Array.of(0, 255), Uint8Array.of(1, 2, 3))
    const nested = sub.sublevel<string, string>('deeper', {})
    await nested.put('y', 'z')
    const root = Buffer.from(await db.root()).toString('hex')

    db = await reopen(db, checkpoint)
    t.same(await db.keys({ gte: 'a' }).all(), ['added-by-hook', 'd', 'e', 'f', 'hooked'], 'top-level keys')
    t.is(await db.get('a'), undefined)
    t.is(await db.get('b'), undefined)
    t.is(await db.get('c'), undefined)
    t.is(await db.get('d'), '4')
    t.is(await db.get('e'), '5')
    t.is(await db.get('f'), '6')
    t.is(await db.get('never'), undefined, 'a chained batch closed without write left no trace')
    t.is(await db.get('added-by-hook'), 'yes')
    t.is(await db.get('hooked'), 'h')
    t.same(await db.sublevel<string, { n: number }>('json', { valueEncoding: 'json' }).get('x'), { n: 1 })
    t.same(Array.from(await db.sublevel<Uint8Array, Uint8Array>('bin', { keyEncoding: 'view', valueEncoding: 'view' }).get(Uint8Array.of(0, 255)) as Uint8Array), [1, 2, 3])
    t.is(await db.sublevel('json', {}).sublevel('deeper', {}).get('y'), 'z')
    t.is(Buffer.from(await db.root()).toString('hex'), root, 'same root after reopen')

    await db.clear({ gte: 'd', lt: 'f' })
    await db.sublevel('json', {}).clear()
    db = await reopen(db, checkpoint)
    t.same(await db.keys({ gte: 'a' }).all(), ['added-by-hook', 'f', 'hooked'])
    t.is(await db.sublevel('json', {}).get('x'), undefined, 'sublevel clear persisted')
    t.is(await db.sublevel('json', {}).sublevel('deeper', {}).get('y'), undefined, 'nested sublevel cleared with its parent')

    await db.batch([{ type: 'put', key: 'l1', value: '1' }, { type: 'put', key: 'l2', value: '2' }, { type: 'put', key: 'l3', value: '3' }, { type: 'put', key: 'l4', value: '4' }])
    await db.clear({ gte: 'l', lt: 'm', limit: 1 })
    await db.clear({ gte: 'l', lt: 'm', limit: 1, reverse: true })
    db = await reopen(db, checkpoint)
    t.same(await db.keys({ gte: 'l', lt: 'm' }).all(), ['l2', 'l3'], 'clears with a limit removed the first and the last')

    await db.clear()
    db = await reopen(db, checkpoint)
    t.same(await db.keys().all(), [])
    t.is(Buffer.from(await db.root()).toString('hex'), Buffer.from(await new MerkleLevel(tempLocation('empty')).root()).toString('hex'), 'empty root')
    await db.close()
  })
}

test('persistence: sync: false writes survive a clean close', async t => {
  let db = new MerkleLevel(tempLocation('nosync'), { sync: false })
  for (let i = 0; i < 100; i++) await db.put(`k${i}`, `v${i}`)
  await db.put('synced', 'yes', { sync: true } as object)
  await db.close()
  db = new MerkleLevel(db.location)
  t.is((await db.keys().all()).length, 101)
  await db.close()
})

test('persistence: a clear through a snapshot removes what the snapshot saw', async t => {
  const db = new MerkleLevel(tempLocation('snapclear'))
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
  await db.open()
  const snapshot = db.snapshot()
  await db.put('c', '3')
  await db.clear({ snapshot })
  await snapshot.close()
  t.same(await db.keys().all(), ['c'])
  await db.close()
  const again = new MerkleLevel(db.location)
  t.same(await again.keys().all(), ['c'])
  await again.close()
})

test('persistence: roots of explicit snapshots and the recovery report', async t => {
  const db = new MerkleLevel(tempLocation('snaproot'))
  await db.open()
  t.is(db.recovery?.created, true)
  await db.put('a', '1')
  const snapshot = db.snapshot()
  const before = Buffer.from(await db.root()).toString('hex')
  await db.put('b', '2')
  t.is(Buffer.from(await db.root({ snapshot })).toString('hex'), before, 'snapshot root is the root at capture')
  t.not(Buffer.from(await db.root()).toString('hex'), before)
  await snapshot.close()
  await db.close()
  await db.open()
  t.is(db.recovery?.created, false)
  t.is(db.recovery?.recordsReplayed, 2)
  t.is(db.recovery?.entries, 2)
  t.is(db.recovery?.seq, 2)
  t.ok(typeof db.recovery?.durationMs === 'number')
  await db.close()
})

test('persistence: keys and values read as views are plain Uint8Arrays, written or loaded', async t => {
  const location = tempLocation('viewtype')
  const plain = (x: unknown): boolean => Object.getPrototypeOf(x) === Uint8Array.prototype
  const options = { keyEncoding: 'view', valueEncoding: 'view' } as const
  let db = new MerkleLevel<Uint8Array, Uint8Array>(location, options)
  await db.put(Uint8Array.of(1), Uint8Array.of(10))
  await db.put(Uint8Array.of(2), Uint8Array.of(20))
  await db.checkpoint()
  await db.put(Uint8Array.of(3), Uint8Array.of(30))
  const kinds = async (when: string): Promise<void> => {
    const entries = await db.iterator().all()
    t.same(entries.map(([k, v]) => [Array.from(k), Array.from(v)]), [[[1], [10]], [[2], [20]], [[3], [30]]], `${when}: the entries`)
    t.ok(entries.every(([k, v]) => plain(k) && plain(v)), `${when}: iterated keys and values are plain Uint8Arrays`)
    t.ok((await db.getMany([Uint8Array.of(1), Uint8Array.of(3)])).every(plain), `${when}: values got are plain Uint8Arrays`)
  }
  await kinds('written')
  await db.close()
  // Entry 1 and 2 now come from the snapshot's bytes, entry 3 from the log's.
  db = new MerkleLevel<Uint8Array, Uint8Array>(location, options)
  await db.open()
  await kinds('loaded')
  await db.close()
})
