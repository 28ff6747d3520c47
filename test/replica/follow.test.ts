/**
 * follow() against a real server on 127.0.0.1: it reaches the primary's
 * state, then applies each commit as it comes; it waits out a server that
 * went away and continues by the feed; it copies in full when its feed
 * position is gone; it refuses a tampered batch and stops, the replica at
 * its last verified state; and a second replicate or follow on the same
 * directory is refused with REPLICA_BUSY while it runs.
 */
import test from 'tape'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { MerkleLevel, follow, replicate, startReplicationServer } from '../../index'
import type { FollowState, ReplicationServer } from '../../index'
import { toHex } from '../../lib/bytes'
import { lockDirectory } from '../../lib/replica/lock'
import { tamperingServer } from '../util/tampering-server'
import type { Answer, TamperingServer } from '../util/tampering-server'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'
import { rejectionCode } from '../util/codes'
import { replicaEntries } from '../util/replica-entries'

async function primaryEntries (db: MerkleLevel): Promise<Array<[string, string]>> {
  const entries = await db.iterator({ keyEncoding: 'view', valueEncoding: 'view' }).all()
  return entries.map(([k, v]) => [toHex(k as unknown as Uint8Array), toHex(v as unknown as Uint8Array)])
}

/** A follower of `url` into `location`, with its states and a way to wait for one. */
function follower (url: string, location: string, retryMaxMs = 200): {
  states: FollowState[]
  retries: string[]
  done: Promise<FollowState | null>
  reach: (root: string) => Promise<void>
  stop: () => Promise<FollowState | null>
} {
  const controller = new AbortController()
  const states: FollowState[] = []
  const retries: string[] = []
  const waiting: Array<{ root: string, resolve: () => void }> = []
  const done = follow(url, location, {
    signal: controller.signal,
    waitMs: 2000,
    retryMinMs: 20,
    retryMaxMs,
    onState: state => {
      states.push(state)
      for (const w of waiting.filter(w => w.root === state.root)) w.resolve()
    },
    onRetry: err => retries.push(String((err as { code?: unknown }).code))
  })
  return {
    states,
    retries,
    done,
    reach: async root => {
      if (states.some(s => s.root === root)) return
      await new Promise<void>(resolve => waiting.push({ root, resolve }))
    },
    stop: async () => {
      controller.abort()
      return await done
    }
  }
}

async function record (location: string): Promise<unknown> {
  return JSON.parse(await readFile(join(location, 'REPLICA.json'), 'utf8'))
}

test('follow: copies, then applies each commit; stops on the signal with a clean record', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  const f = follower(served.url, location)
  await f.reach(toHex(await db.root()))
  t.deepEqual(f.states.map(s => [s.seq, s.how]), [[1, 'full']])
  await db.put('c', '3')
  await f.reach(toHex(await db.root()))
  await db.del('a')
  await db.clear({ gte: 'b', lt: 'c' })
  await f.reach(toHex(await db.root()))
  const root = toHex(await db.root())
  t.deepEqual(await f.stop(), { root, seq: 4, how: 'feed' }, 'resolves with the last state reached')
  t.deepEqual(f.states.map(s => s.how), ['full', ...f.states.slice(1).map(() => 'feed')], 'a full copy, then the feed only')
  t.ok(f.states.every((s, i) => i === 0 || s.seq > f.states[i - 1].seq), `each state after the one before: ${f.states.map(s => s.seq).join(', ')}`)
  t.deepEqual(await record(location), { root, seq: 4 }, 'the record names the state, with nothing pending')
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.notOk(existsSync(lockDirectory(location)), 'the lock is released and its directory removed')
  t.deepEqual(await replicate(served.url, location), { root, seq: 4, how: 'current' })
  await served.close()
  await db.close()
})

test('follow: a second replicate or follow on the same directory is refused with REPLICA_BUSY', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const served = await tamperingServer(db)
  const location = tempLocation('replica')
  const f = follower(served.url, location)
  await f.reach(toHex(await db.root()))
  t.equal(await rejectionCode(replicate(served.url, location)), 'REPLICA_BUSY')
  t.equal(await rejectionCode(follow(served.url, location)), 'REPLICA_BUSY')
  const err = await replicate(served.url, location).catch((e: { cause?: { code?: string } }) => e)
  t.equal((err as { cause?: { code?: string } }).cause?.code, 'LEVEL_LOCKED', 'its cause is the lock')
  await db.put('b', '2')
  await f.reach(toHex(await db.root()))
  await f.stop()
  t.deepEqual(await replicate(served.url, location), { root: toHex(await db.root()), seq: 2, how: 'current' }, 'free again once stopped')
  await served.close()
  await db.close()
})

/** A server that can be stopped and started again on the same port. */
async function restartable (db: MerkleLevel): Promise<{ url: () => string, stop: () => Promise<void>, start: () => Promise<void> }> {
  let port = 0
  let serving: ReplicationServer | null = null
  const start = async (): Promise<void> => {
    serving = await startReplicationServer(db, { port, maxRangeEntries: 3 })
    port = Number(new URL(serving.url).port)
  }
  await start()
  return {
    url: () => `http://127.0.0.1:${port}/`,
    stop: async () => { await serving?.close(); serving = null },
    start
  }
}

test('follow: waits out a server that went away, then continues by the feed', async t => {
  const db = new MerkleLevel(tempLocation('primary'), { retainLogBytes: 1 << 20 })
  await db.put('a', '1')
  const server = await restartable(db)
  const location = tempLocation('replica')
  const f = follower(server.url(), location)
  await f.reach(toHex(await db.root()))
  await server.stop()
  await db.put('b', '2')
  await new Promise(resolve => setTimeout(resolve, 150))
  t.ok(f.retries.length > 0 && f.retries.every(code => code === 'REPLICA_CONNECTION' || code === 'REPLICA_BAD_RESPONSE'), `retried: ${f.retries.join(', ')}`)
  await server.start()
  await f.reach(toHex(await db.root()))
  t.equal(f.states[f.states.length - 1].how, 'feed', 'the feed brought it up to date')
  await db.put('c', '3')
  await f.reach(toHex(await db.root()))
  await f.stop()
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  await server.stop()
  await db.close()
})

test('follow: a feed position that is gone means a catch-up by diff, then following goes on', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  for (let i = 0; i < 10; i++) await db.put(`k${i}`, `v${i}`)
  const server = await restartable(db)
  const location = tempLocation('replica')
  const f = follower(server.url(), location)
  await f.reach(toHex(await db.root()))
  await server.stop()
  await db.put('k10', 'x')
  await db.checkpoint()
  await db.put('k11', 'y')
  await server.start()
  await f.reach(toHex(await db.root()))
  t.deepEqual(f.states.map(s => s.how), ['full', 'diff'], 'caught up by diff (the replica holds entries)')
  await db.del('k0')
  await f.reach(toHex(await db.root()))
  t.equal(f.states[f.states.length - 1].how, 'feed')
  await f.stop()
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  await server.stop()
  await db.close()
})

test('follow: a step whose proof states another value is refused, the replica stays at its last verified state', async t => {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const verified = toHex(await db.root())
  let tamper = false
  const stepped: string[] = []
  const served = await tamperingServer(db, {
    answer: (url, answer) => {
      if (!url.pathname.endsWith('/step')) return answer
      const body = JSON.parse(answer.body.toString())
      if (body.proof === null || body.proof === undefined) return answer
      stepped.push(url.search)
      if (!tamper) return answer
      // The value of the step's put, altered: the proof then leads to another root than the one claimed.
      body.proof.ops[0].value = '66'
      return { ...answer, body: Buffer.from(JSON.stringify(body)) }
    }
  })
  const location = tempLocation('replica')
  const f = follower(served.url, location)
  await f.reach(verified)
  // The server keeps its recent states from the first step asked for: from batch 1 on here.
  t.equal((await httpGet(`${served.url}v1/step?since=1`)).status, 200)
  await db.put('b', '2')
  await f.reach(toHex(await db.root()))
  t.ok(stepped.length > 0, 'the follower took steps')
  tamper = true
  await refusedAfterTwo(t, db, served, location, f.done, 'LEVEL_PROOF_ROOT_MISMATCH')
})

// A primary holding a=1, served through `change` (told whether to tamper yet), and its root.
async function servedThrough (change: (url: URL, answer: Answer, tamper: boolean) => Answer): Promise<{
  db: MerkleLevel, served: TamperingServer, verified: string, tampering: { on: boolean }
}> {
  const db = new MerkleLevel(tempLocation('primary'))
  await db.put('a', '1')
  const tampering = { on: false }
  const served = await tamperingServer(db, { answer: (url, answer) => change(url, answer, tampering.on) })
  return { db, served, verified: toHex(await db.root()), tampering }
}

test('follow: a tampered batch is refused, follow rejects, the replica stays at its last verified state', async t => {
  const { db, served, verified, tampering } = await servedThrough((url, answer, tamper) => {
    if (!tamper || !(url.pathname.endsWith('/changes') || url.pathname.endsWith('/step'))) return answer
    // Claims another value than the one the proof states: the proof no longer leads to the root.
    return { ...answer, body: Buffer.from(answer.body.toString().replace(/"root":"[0-9a-f]{64}"/, `"root":"${'ab'.repeat(32)}"`)) }
  })
  const location = tempLocation('replica')
  const f = follower(served.url, location)
  await f.reach(verified)
  // The server keeps the follower's state once it has asked for a step: the next answer is a step.
  for (let i = 0; i < 200 && !served.requests.some(url => url.startsWith('/v1/step')); i++) await sleep(10)
  tampering.on = true
  await db.put('b', '2')
  t.equal(await rejectionCode(f.done), 'LEVEL_PROOF_ROOT_MISMATCH')
  t.deepEqual(await record(location), { root: verified, seq: 1 })
  t.deepEqual(await replicaEntries(location), [['61', '31']])
  t.notOk(existsSync(lockDirectory(location)), 'the lock is released')
  await served.close()
  await db.close()
})

test('follow: where no step is kept, the feed is replayed up to the pinned state; an altered batch there is refused', async t => {
  const { db, served, verified, tampering } = await servedThrough((url, answer, tamper) => {
    // No state is ever kept for steps, as for a follower far behind.
    if (url.pathname.endsWith('/step')) return { ...answer, status: 410, body: Buffer.from(JSON.stringify({ error: { code: 'REPLICATION_STEP_GONE', message: 'gone' } })) }
    if (!tamper || !url.pathname.endsWith('/changes')) return answer
    return { ...answer, body: Buffer.from(answer.body.toString().replace(/"value":"[0-9a-f]*"/, '"value":"6f74686572"')) }
  })
  const location = tempLocation('replica')
  const f = follower(served.url, location)
  await f.reach(verified)
  await db.put('b', '2')
  await f.reach(toHex(await db.root()))
  t.ok(served.requests.some(url => url.startsWith('/v1/changes') && url.includes('proofs=false')), 'reached by the plain feed')
  tampering.on = true
  await refusedAfterTwo(t, db, served, location, f.done, 'REPLICA_ROOT_MISMATCH')
})

// A third batch, tampered on the way: follow rejects with `code`, the replica stays at the second
// (a=1, b=2) with a clean record, and the lock is released. Closes the server and the primary.
async function refusedAfterTwo (
  t: test.Test, db: MerkleLevel, served: { close: () => Promise<void> }, location: string, done: Promise<FollowState | null>, code: string
): Promise<void> {
  const reached = toHex(await db.root())
  await db.put('c', '3')
  t.equal(await rejectionCode(done), code)
  t.deepEqual(await record(location), { root: reached, seq: 2 })
  t.deepEqual(await replicaEntries(location), [['61', '31'], ['62', '32']])
  t.notOk(existsSync(lockDirectory(location)), 'the lock is released')
  await served.close()
  await db.close()
}
