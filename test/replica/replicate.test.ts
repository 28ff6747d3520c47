/**
 * The replica client against a real server on 127.0.0.1: a new replica
 * converges to the primary's root and entries by ranges (several pages); a
 * lagging one catches up by the feed; one whose feed position is gone is
 * copied again; a required root the server does not hold is refused; and
 * the temporaries of the swap are gone afterwards.
 */
import test from 'tape'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MerkleLevel, replicate } from '../../index'
import { toHex } from '../../lib/bytes'
import { companions } from '../../lib/replica/swap'
import { tamperingServer } from '../util/tampering-server'
import { tempLocation } from '../util/temp'
import { rejectionCode } from '../util/codes'
import { replicaEntries } from '../util/replica-entries'
import { rootAt, seed } from '../serve/seeded'

async function primaryEntries (db: MerkleLevel<any, any>): Promise<Array<[string, string]>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- any database
  const entries = await db.iterator({ keyEncoding: 'view', valueEncoding: 'view' }).all()
  return entries.map(([k, v]) => [toHex(k as Uint8Array), toHex(v as Uint8Array)])
}

async function record (location: string): Promise<unknown> {
  return JSON.parse(await readFile(join(location, 'REPLICA.json'), 'utf8'))
}

function noTemporaries (location: string): boolean {
  return Object.values(companions(location)).every(path => !existsSync(path))
}

/** A primary of `n` entries written in batches of 5, served with pages of at most 4 entries. */
async function primary (n: number): Promise<{ db: MerkleLevel, url: string, close: () => Promise<void> }> {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.open()
  for (let i = 0; i < n; i += 5) {
    await db.batch(Array.from({ length: Math.min(5, n - i) }, (_, j) => ({ type: 'put' as const, key: `k${String(i + j).padStart(3, '0')}`, value: `value ${i + j}` })))
  }
  const served = await tamperingServer(db, {}, { maxRangeEntries: 4 })
  return { db, url: served.url, close: async () => { await served.close(); await db.close() } }
}

test('a new replica converges to the primary by ranges: root, seq, entries, record', async t => {
  const { db, url, close } = await primary(23)
  const location = tempLocation('replica')
  const result = await replicate(url, location)
  const root = toHex(await db.root())
  t.deepEqual(result, { root, seq: 5, how: 'full' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.deepEqual(await record(location), { root, seq: 5 })
  t.ok(noTemporaries(location), 'no staging, ready or old directory is left')
  t.deepEqual(await replicate(url, location), { root, seq: 5, how: 'current' }, 'a second run has nothing to do')
  await close()
})

test('an empty primary gives an empty replica', async t => {
  const { db, url, close } = await primary(0)
  const location = tempLocation('replica')
  t.deepEqual(await replicate(url, location), { root: toHex(await db.root()), seq: 0, how: 'full' })
  t.deepEqual(await replicaEntries(location), [])
  await close()
})

test('a lagging replica catches up by the feed, with dels and a ranged clear', async t => {
  const { db, url, close } = await primary(12)
  const location = tempLocation('replica')
  await replicate(url, location)
  await db.del('k003')
  await db.clear({ gte: 'k005', lt: 'k009' })
  await db.batch([{ type: 'put', key: 'k100', value: 'new' }, { type: 'put', key: 'k001', value: 'changed' }])
  const root = toHex(await db.root())
  t.deepEqual(await replicate(url, location), { root, seq: 6, how: 'feed' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.deepEqual(await record(location), { root, seq: 6 })
  await close()
})

test('a replica whose feed position is gone catches up by diff', async t => {
  const { db, url, close } = await primary(10)
  const location = tempLocation('replica')
  await replicate(url, location)
  await db.put('k050', 'x')
  await db.del('k004')
  await db.checkpoint()
  await db.put('k051', 'y')
  const root = toHex(await db.root())
  t.deepEqual(await replicate(url, location), { root, seq: 5, how: 'diff' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.deepEqual(await record(location), { root, seq: 5 })
  t.ok(noTemporaries(location))
  t.deepEqual(await replicate(url, location), { root, seq: 5, how: 'current' }, 'a second run has nothing to do')
  await close()
})

test('an empty replica whose feed position is gone is copied again in full', async t => {
  const { db, url, close } = await primary(0)
  const location = tempLocation('replica')
  await replicate(url, location)
  await db.put('k050', 'x')
  await db.checkpoint()
  await db.put('k051', 'y')
  const root = toHex(await db.root())
  t.deepEqual(await replicate(url, location), { root, seq: 2, how: 'full' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.ok(noTemporaries(location))
  await close()
})

test('the seeded history replicates batch by batch, each step by the feed', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.open()
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  t.deepEqual(await replicate(served.url, location), { root: rootAt(0), seq: 0, how: 'full' })
  await seed(db)
  t.deepEqual(await replicate(served.url, location), { root: rootAt(5), seq: 5, how: 'feed' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  await served.close()
  await db.close()
})

test('--root: a server holding another state is refused, and nothing is written', async t => {
  const { db, url, close } = await primary(6)
  const location = tempLocation('replica')
  const other = rootAt(3)
  t.equal(await rejectionCode(replicate(url, location, { root: other })), 'REPLICA_ROOT_MISMATCH')
  t.notOk(existsSync(location), 'no replica was created')
  const root = toHex(await db.root())
  t.deepEqual(await replicate(url, location, { root: root.toUpperCase() }), { root, seq: 2, how: 'full' }, 'the held root is accepted, in either case')
  await close()
})

test('a directory that is not a replica is never replaced', async t => {
  const { url, close } = await primary(3)
  const location = tempLocation('not-a-replica')
  const other = new MerkleLevel(location)
  await other.put('mine', 'keep')
  await other.close()
  t.equal(await rejectionCode(replicate(url, location)), 'REPLICA_BAD_STATE')
  t.deepEqual(await replicaEntries(location), [[toHex(Buffer.from('mine')), toHex(Buffer.from('keep'))]])
  await close()
})

test('an aborted signal stops the copy with REPLICA_ABORTED, and nothing is written', async t => {
  const { url, close } = await primary(8)
  const location = tempLocation('replica')
  const controller = new AbortController()
  controller.abort()
  t.equal(await rejectionCode(replicate(url, location, { signal: controller.signal })), 'REPLICA_ABORTED')
  t.notOk(existsSync(location))
  t.ok(noTemporaries(location))
  await close()
})

test('a replica whose feed position is gone and whose data differs in most entries is copied again in full', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.batch(Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(4, '0')}`, value: `value ${i}` })))
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  await replicate(served.url, location)
  await db.batch(Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(4, '0')}`, value: `changed ${i}` })))
  await db.checkpoint()
  const root = toHex(await db.root())
  // A descent would open every node: more than a quarter of the entries (and 1,024).
  t.deepEqual(await replicate(served.url, location), { root, seq: 2, how: 'full' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.ok(noTemporaries(location))
  await served.close()
  await db.close()
})

test('a diff whose levels take more positions than one request target holds asks in several, each within maxRequestBytes', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.batch(Array.from({ length: 3000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(4, '0')}`, value: `value ${i}` })))
  const targets: number[] = []
  const served = await tamperingServer(db, {
    request: url => {
      if (url.pathname === '/v1/nodes') targets.push(Buffer.byteLength(url.pathname + url.search))
      return url
    }
  }, { maxRequestBytes: 256 })
  const location = tempLocation('replica')
  await replicate(served.url, location)
  await db.batch(Array.from({ length: 60 }, (_, i) => ({ type: 'put' as const, key: `k${String(i * 50).padStart(4, '0')}`, value: `changed ${i}` })))
  await db.checkpoint()
  const root = toHex(await db.root())
  t.deepEqual(await replicate(served.url, location), { root, seq: 2, how: 'diff' })
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.ok(targets.length > 20 && targets.every(n => n <= 256), `${targets.length} requests, the longest target ${Math.max(...targets)} bytes`)
  t.ok(targets.some(n => n > 200), 'requests filled near the limit')
  await served.close()
  await db.close()
})
