/**
 * The endpoint never writes: after a barrage of requests of every kind, good
 * and bad, concurrent with each other, the root, the sequence number and
 * every file of the database directory are as they were.
 */
import test from 'tape'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { toHex } from '../../lib/bytes'
import { httpGet } from '../util/http-get'
import { rootAt, servedSeeded } from './seeded'

function files (location: string): Record<string, string> {
  const listing: Record<string, string> = {}
  for (const name of readdirSync(location).sort()) listing[name] = createHash('sha256').update(readFileSync(join(location, name))).digest('hex')
  return listing
}

test('a barrage of requests changes nothing in the database', async t => {
  const { db, base, close } = await servedSeeded({ maxResponseBytes: 4096, pinMs: 50 })
  await db.checkpoint()
  const before = files(db.location)
  const queries = [
    'info', 'range', 'range?limit=1', `range?gt=${toHex(Buffer.from('b'))}`, `range?root=${rootAt(5)}`, 'range?root=' + '11'.repeat(32),
    'changes?since=0', 'changes?since=5', 'changes?since=9', 'prove?key=61', 'prove?key=', 'prove?key=zz', 'nope', 'range?limit=0',
    'overview', 'overview?since=5&wait=10', 'overview?since=0', 'look/', 'look/look.js'
  ]
  let answered = 0
  for (let round = 0; round < 20; round++) {
    const methods = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']
    const all = queries.flatMap(query => methods.map(async method => await httpGet(`${base}${query}`, { method })))
    for (const res of await Promise.all(all)) if (res.status > 0) answered++
  }
  t.equal(answered, 20 * queries.length * 6, 'every request answered')
  t.equal(toHex(await db.root()), rootAt(5), 'the root is unchanged')
  const snapshot = db.snapshot()
  t.equal((snapshot as unknown as { seq: number }).seq, 5, 'no batch was committed')
  await snapshot.close()
  t.deepEqual(files(db.location), before, 'every file is as it was')
  await close()
})
