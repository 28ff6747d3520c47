/**
 * What a crash of the replica can leave, rebuilt by hand, and the next run
 * on it: a staging copy is dropped, a ready copy is installed whether or not
 * the old replica was moved aside yet, and a record whose pending state is
 * the data's is advanced. Also: a server that never answers, or cuts its
 * body short, is a coded error.
 */
import test from 'tape'
import { cpSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { MerkleLevel, replicate } from '../../index'
import { toHex } from '../../lib/bytes'
import { companions } from '../../lib/replica/swap'
import { tamperingServer } from '../util/tampering-server'
import { replicaEntries } from '../util/replica-entries'
import { rejectionCode } from '../util/codes'
import { tempLocation } from '../util/temp'

async function twoStates (): Promise<{ db: MerkleLevel, url: string, first: string, close: () => Promise<void> }> {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const first = toHex(await db.root())
  const served = await tamperingServer(db)
  return { db, url: served.url, first, close: async () => { await served.close(); await db.close() } }
}

const gone = (location: string): boolean => Object.values(companions(location)).every(path => !existsSync(path))

test('a staging copy left by a crash is dropped; the replica is untouched', async t => {
  const { url, close } = await twoStates()
  const location = tempLocation('replica')
  await replicate(url, location)
  mkdirSync(companions(location).staging)
  writeFileSync(join(companions(location).staging, 'half-written'), 'x')
  t.equal((await replicate(url, location)).how, 'current')
  t.ok(gone(location))
  await close()
})

test('a ready copy is installed, before or after the old replica was moved aside', async t => {
  const { db, url, close } = await twoStates()
  const location = tempLocation('replica')
  await replicate(url, location)
  await db.put('b', '2')
  const newer = tempLocation('replica-newer')
  await replicate(url, newer)
  // Crash after markReady, before the renames.
  cpSync(newer, companions(location).ready, { recursive: true })
  t.equal((await replicate(url, location)).how, 'current', 'the ready copy is the server\'s state')
  t.deepEqual(await replicaEntries(location), [['61', '31'], ['62', '32']])
  t.ok(gone(location))
  // Crash between the two renames: only the old replica and the ready copy exist.
  await db.put('c', '3')
  await replicate(url, newer)
  renameSync(location, companions(location).old)
  cpSync(newer, companions(location).ready, { recursive: true })
  t.equal((await replicate(url, location)).how, 'current')
  t.deepEqual(await replicaEntries(location), [['61', '31'], ['62', '32'], ['63', '33']])
  t.ok(gone(location))
  await close()
})

test('a batch applied but not yet recorded: the pending state is taken; an unknown root means a full copy', async t => {
  const { db, url, first, close } = await twoStates()
  const location = tempLocation('replica')
  await replicate(url, location)
  await db.put('b', '2')
  await replicate(url, location)
  const second = toHex(await db.root())
  writeFileSync(join(location, 'REPLICA.json'), JSON.stringify({ root: first, seq: 1, pending: { root: second, seq: 2 } }))
  t.deepEqual(await replicate(url, location), { root: second, seq: 2, how: 'current' })
  writeFileSync(join(location, 'REPLICA.json'), JSON.stringify({ root: first, seq: 1 }))
  t.deepEqual(await replicate(url, location), { root: second, seq: 2, how: 'full' }, 'data at no recorded root is copied again')
  await close()
})

async function rawServer (listener: RequestListener): Promise<{ url: string, close: () => Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => { server.closeAllConnections(); await new Promise<void>(resolve => server.close(() => resolve())) }
  }
}

test('a server that never answers times out; one that cuts its body short is refused', async t => {
  const silent = await rawServer(() => {})
  t.equal(await rejectionCode(replicate(silent.url, tempLocation('replica'), { timeoutMs: 200 })), 'REPLICA_TIMEOUT')
  await silent.close()
  const short = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('{"protocol":1,')
    setTimeout(() => res.destroy(), 20)
  })
  t.equal(await rejectionCode(replicate(short.url, tempLocation('replica'))), 'REPLICA_BAD_RESPONSE')
  await short.close()
})
