/**
 * `merkle-level replicate --follow` in a child process against a server in
 * this one: it copies, follows a write, refuses a second replicate on the
 * same directory (exit 3) while it runs, and stops on SIGTERM with exit 0,
 * printing the state it stopped at. Bad combinations of options exit 2.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { toHex } from '../../lib/bytes'
import { CLI, runCli } from '../cli/run-cli'
import { tamperingServer } from '../util/tampering-server'
import { replicaEntries } from '../util/replica-entries'
import { tempLocation } from '../util/temp'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

// The record's state, or the one it is applying: the follower reached `seq` once either names it.
function recordSeqs (location: string): number[] {
  try {
    const record = JSON.parse(readFileSync(join(location, 'REPLICA.json'), 'utf8')) as { seq: number, pending?: { seq: number } }
    return [record.seq, record.pending?.seq ?? -1]
  } catch {
    return []
  }
}

test('replicate --follow: copies, follows, refuses a second replicate, stops on SIGTERM with exit 0', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  const child = spawn(process.execPath, [CLI, 'replicate', served.url, location, '--follow', '--wait-ms', '500'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
  for (let i = 0; i < 200 && !stdout.includes('\n'); i++) await sleep(50)
  t.equal(stdout, `${location} at root ${toHex(await db.root())}, seq 1 (copied in full)\n`)

  await db.put('b', '2')
  for (let i = 0; i < 200 && !recordSeqs(location).includes(2); i++) await sleep(50)
  const second = await runCli(['replicate', served.url, location])
  t.equal(second.code, 3, 'a second replicate on the directory exits 3')
  t.ok(second.stderr.includes('is locked'), second.stderr)

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM: exit 0')
  const root = toHex(await db.root())
  t.equal(stdout.split('\n').filter(l => l !== '').pop(), `${location} at root ${root}, seq 2 (stopped)`)
  t.equal(stderr, '')
  t.deepEqual(JSON.parse(readFileSync(join(location, 'REPLICA.json'), 'utf8')), { root, seq: 2 }, 'a clean record')
  t.deepEqual(await replicaEntries(location), [['61', '31'], ['62', '32']])
  await served.close()
  await db.close()
})

test('replicate: --follow with --root, or --wait-ms without --follow, is a usage error', async t => {
  const location = tempLocation('replica')
  t.equal((await runCli(['replicate', 'http://127.0.0.1:9/', location, '--follow', '--root', 'ab'.repeat(32)])).code, 2)
  t.equal((await runCli(['replicate', 'http://127.0.0.1:9/', location, '--wait-ms', '100'])).code, 2)
  t.equal((await runCli(['replicate', 'http://127.0.0.1:9/', location, '--follow', '--wait-ms', 'soon'])).code, 2)
})
