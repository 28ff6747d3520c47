/**
 * Catching up from the feed (lib/replica/catch-up.ts): the batches' plain
 * operations replayed on the replica's own tree, or, when they change more
 * keys than the replay holds in memory, a change proof per batch, page by
 * page. Either way the replica reaches the pinned state with the primary's
 * entries, and its record names it.
 */
import test from 'tape'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MerkleLevel, replicate } from '../../index'
import { toHex } from '../../lib/bytes'
import { catchUp } from '../../lib/replica/catch-up'
import { ReplicationClient } from '../../lib/replica/client'
import { tamperingServer } from '../util/tampering-server'
import { tempLocation } from '../util/temp'
import { replicaEntries } from '../util/replica-entries'

async function primaryEntries (db: MerkleLevel): Promise<Array<[string, string]>> {
  const entries = await db.iterator({ keyEncoding: 'view', valueEncoding: 'view' }).all()
  return entries.map(([k, v]) => [toHex(k as unknown as Uint8Array), toHex(v as unknown as Uint8Array)])
}

for (const [maxKeys, way] of [[1000, 'the plain feed'], [3, 'proofs, page by page']] as const) {
  test(`catch-up of 12 batches changing 8 keys, at most ${maxKeys} in memory: by ${way}`, async t => {
    const db = new MerkleLevel(tempLocation('primary'))
    await db.batch(Array.from({ length: 10 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: `v${i}` })))
    const served = await tamperingServer(db, {}, { maxChanges: 5 })
    const location = tempLocation('replica')
    await replicate(served.url, location)
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 2) await db.del(`k${i % 8}`)
      else await db.put(`k${i % 8}`, `changed ${i}`)
    }
    await db.clear({ gte: 'k8' })
    served.requests.length = 0
    const client = new ReplicationClient(served.url)
    const info = await client.info()
    const replica = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
    await replica.open()
    const from = JSON.parse(await readFile(join(location, 'REPLICA.json'), 'utf8'))
    const reached = await catchUp(client, info, replica, location, from, undefined, maxKeys)
    await replica.close()
    const root = toHex(await db.root())
    t.deepEqual(reached, { root, seq: 14 })
    t.deepEqual(JSON.parse(await readFile(join(location, 'REPLICA.json'), 'utf8')), { root, seq: 14 }, 'the record names it')
    t.deepEqual(await replicaEntries(location), await primaryEntries(db))
    const asked = served.requests.filter(url => url.startsWith('/v1/changes')).map(url => new URL(url, 'http://x').searchParams)
    const plain = asked.filter(params => params.get('proofs') === 'false').map(params => params.get('since'))
    const proven = asked.filter(params => !params.has('proofs')).map(params => params.get('since'))
    if (maxKeys === 1000) t.deepEqual([plain, proven], [['1', '6', '11'], []], 'three plain pages')
    else t.deepEqual([plain, proven], [['1'], ['1', '6', '11']], 'the first plain page changes 5 keys: then three pages with proofs')
    await served.close()
    await db.close()
  })
}
