/**
 * What an open database says of itself besides its data: db.lastCheck, the
 * last integrity check since open, and db.diskUsage(), its files by kind.
 */
import test from 'tape'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

test('lastCheck: the last check since open, of the state or a snapshot', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  await db.open()
  t.equal(db.lastCheck, null, 'none before the first')
  await db.put('a', '1')
  const before = Date.now()
  const report = await db.check()
  const last = db.lastCheck
  t.deepEqual([last?.snapshot, last?.report], [false, report], 'the report of the state')
  t.ok(last !== null && last.time >= before && last.time <= Date.now(), 'and when it ended')
  const snapshot = db.snapshot()
  await db.check({ snapshot })
  t.equal(db.lastCheck?.snapshot, true, 'a snapshot\'s check is marked so')
  await snapshot.close()
  await db.close()
  await db.open()
  t.equal(db.lastCheck, null, 'forgotten at the next open')
  await db.close()
})

test('diskUsage: the database\'s own files by kind, not the user\'s', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location, { retainLogBytes: 1 << 20 })
  const pending = db.diskUsage()
  await db.put('a', '1')
  t.equal((await pending).log.files, 1, 'waits for open like any method')
  await db.checkpoint()
  await db.put('b', '2')
  writeFileSync(join(location, 'notes.txt'), 'the user\'s')
  const usage = await db.diskUsage()
  const size = (name: string): number => statSync(join(location, name)).size
  const names = readdirSync(location).filter(n => n !== 'notes.txt')
  t.equal(usage.bytes, names.reduce((n, name) => n + size(name), 0), 'every file but the user\'s')
  t.equal(usage.log.bytes + usage.retainedLog.bytes + usage.images.bytes + usage.other.bytes, usage.bytes, 'the kinds add up')
  t.deepEqual([usage.log.files, usage.retainedLog.files, usage.images.files], [1, 1, 1], 'the live segment, the one retained, the image')
  t.ok(usage.other.files >= 1, 'and the lock')
  await db.close()
})
