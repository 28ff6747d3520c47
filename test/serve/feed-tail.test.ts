/**
 * The tail of the feed (lib/serve/feed-tail.ts) answers `changes` exactly as
 * the log does: a server whose followers kept a tail, and a fresh one that
 * reads the same batches from the log, give the same bodies. A long poll at
 * the head is answered by the first commit; a page is cut at `limit`; and a
 * `since` older than the tail is read from the log.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { tamperingServer } from '../util/tampering-server'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'

test('changes from the tail equal changes from the log, and a long poll ends at the first commit', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const followed = await tamperingServer(db)
  // The first request starts the tail at the head (batch 1); the long poll waits on it.
  const poll = httpGet(`${followed.url}v1/changes?since=1&wait=5000`)
  await new Promise(resolve => setTimeout(resolve, 50))
  await db.batch([{ type: 'put', key: 'b', value: '2' }, { type: 'del', key: 'a' }])
  const first = await poll
  t.equal(first.status, 200)
  t.deepEqual((first.json as { changes: Array<{ seq: number }> }).changes.map(c => c.seq), [2], 'the long poll answers with the commit')
  await db.clear({ gte: 'a', lt: 'c' })
  await db.put('c', '3')
  await new Promise(resolve => setTimeout(resolve, 50))

  const fresh = await tamperingServer(db)
  for (const query of ['since=1', 'since=2', 'since=1&limit=2', 'since=3&limit=1', 'since=4', 'since=1&wait=10']) {
    const fromTail = await httpGet(`${followed.url}v1/changes?${query}`)
    const fromLog = await httpGet(`${fresh.url}v1/changes?${query}`)
    t.equal(fromTail.status, 200)
    t.deepEqual(fromTail.json, fromLog.json, `${query}: the same answer`)
  }
  const older = await httpGet(`${followed.url}v1/changes?since=0`)
  t.deepEqual((older.json as { changes: Array<{ seq: number }> }).changes.map(c => c.seq), [1, 2, 3, 4], 'a since before the tail is read from the log')
  await followed.close()
  await fresh.close()
  await db.close()
})
