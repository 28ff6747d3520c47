/**
 * `merkle-level replicate` in a child process against a server in this one:
 * a copy, a catch-up by the feed, the token from --token-file, and a
 * required root the server does not hold refused with exit 1.
 */
import test from 'tape'
import { existsSync, writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { toHex } from '../../lib/bytes'
import { runCli } from '../cli/run-cli'
import { tamperingServer } from '../util/tampering-server'
import { replicaEntries } from '../util/replica-entries'
import { tempLocation } from '../util/temp'

test('replicate: copies, then catches up, sending the token from --token-file', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
  const served = await tamperingServer(db, {}, { token: 'cli-token' })
  const tokenFile = tempLocation('token')
  writeFileSync(tokenFile, 'cli-token\n')
  const location = tempLocation('replica')
  const first = await runCli(['replicate', served.url, location, '--token-file', tokenFile])
  t.equal(first.code, 0, first.stderr)
  t.equal(first.stdout, `${location} at root ${toHex(await db.root())}, seq 1 (copied in full)\n`)
  await db.put('c', '3')
  const second = await runCli(['replicate', served.url, location, '--token-file', tokenFile])
  t.equal(second.code, 0, second.stderr)
  t.equal(second.stdout, `${location} at root ${toHex(await db.root())}, seq 2 (caught up by the feed)\n`)
  t.deepEqual(await replicaEntries(location), [['61', '31'], ['62', '32'], ['63', '33']])
  const without = await runCli(['replicate', served.url, location])
  t.equal(without.code, 6, 'without the token: the server\'s 401 is a failure')
  t.ok(without.stderr.includes('401 REPLICATION_UNAUTHORIZED'), without.stderr)
  await served.close()
  await db.close()
})

test('replicate --root: another state on the server is refused with exit 1, nothing written', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  const run = await runCli(['replicate', served.url, location, '--root', 'ab'.repeat(32)])
  t.equal(run.code, 1)
  t.ok(run.stderr.startsWith('merkle-level: refused (REPLICA_ROOT_MISMATCH): '), run.stderr)
  t.notOk(existsSync(location))
  const bad = await runCli(['replicate', served.url, location, '--root', 'xyz'])
  t.equal(bad.code, 2, 'a malformed --root is a usage error')
  await served.close()
  await db.close()
})
