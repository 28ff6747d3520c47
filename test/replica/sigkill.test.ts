/**
 * SIGKILL of the replica and of the primary, on real directories and real
 * processes: a primary (sigkill-primary.ts) writes a seeded history and
 * serves it; a follower (sigkill-follower.ts) copies it and follows it. At
 * random moments this process kills one of them with SIGKILL — the follower
 * in the middle of a full copy (its staging directory exists) or while it
 * follows the feed, the primary while it writes and serves — and starts it
 * again. After each kill of the follower, the replica must open at a
 * verified state of the primary's history: its root is one its record names,
 * that root is the history's root after that many batches, its entries are
 * exactly the history's after them, and it is no older than the last state
 * the follower reported. After each kill of the primary, the record of the
 * (live) follower must name roots of the history, and the restarted primary
 * must recover a prefix of it. At the end the follower must converge to the
 * primary's final root and contents, and stop cleanly on SIGTERM. Every root
 * the primary logged after a batch is checked against the history too.
 * CRASH_EFFORT multiplies the kills; CRASH_SEED replays a run.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { toHex } from '../../lib/bytes'
import { companions } from '../../lib/replica/swap'
import { EFFORT, SEED } from '../util/crash/effort'
import { HistoryRoots, HistoryStates } from '../util/replica-history'
import { randomInt, seededRandom } from '../util/sim/prng'
import { tempLocation } from '../util/temp'

const KILLS = 100 * EFFORT
// Of which the first, each as soon as a full copy is under way.
const COPY_KILLS = 3
const RUN_SEED = SEED + 101
const PRIMARY = join(__dirname, 'sigkill-primary.js')
const FOLLOWER = join(__dirname, 'sigkill-follower.js')

/** A child process and the lines it printed. */
interface Child {
  process: ChildProcess
  lines: string[]
  stderr: () => string
  /** Resolves with the first line (already printed or to come) that passes `match`. */
  line: (match: (line: string) => boolean, what: string) => Promise<string>
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

function start (script: string, args: string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  const waiting: Array<() => void> = []
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop() ?? ''
    lines.push(...parts)
    for (const wake of waiting.splice(0)) wake()
  })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.on('close', (code, signal) => {
    for (const wake of waiting.splice(0)) wake()
    resolve({ code, signal })
  }))
  let closed = false
  void exited.then(() => { closed = true })
  const line = async (match: (line: string) => boolean, what: string): Promise<string> => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const found = lines.find(match)
      if (found !== undefined) return found
      if (closed || Date.now() > deadline) throw new Error(`no ${what} from ${script} (exit: ${String(child.exitCode)}, stderr: ${stderr.slice(0, 500)})`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 500)
        waiting.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }
  return { process: child, lines, stderr: () => stderr, line, exited }
}

async function kill (child: Child): Promise<void> {
  child.process.kill('SIGKILL')
  await child.exited
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

// Polls `ready` every millisecond until it holds (true) or `ms` pass (false).
async function until (ready: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (!ready()) {
    if (Date.now() > end) return false
    await sleep(1)
  }
  return true
}

interface Counts {
  followerKills: number
  killsInCopy: number
  killsFollowing: number
  killsStarting: number
  primaryKills: number
  replicaChecks: number
  recordChecks: number
  fullCopies: number
  feedStates: number
}

test(`replica SIGKILL: ${KILLS} kills of the follower and the primary, each verified (seed ${RUN_SEED})`, async t => {
  t.comment(`seed ${RUN_SEED}: CRASH_SEED=${SEED} replays this run`)
  const random = seededRandom(RUN_SEED)
  const history = new HistoryRoots(RUN_SEED)
  const states = new HistoryStates(RUN_SEED)
  const primaryDir = tempLocation('primary')
  const location = tempLocation('replica')
  const rootLog = tempLocation('roots.log')
  writeFileSync(rootLog, '')
  const failures: string[] = []
  const counts: Counts = { followerKills: 0, killsInCopy: 0, killsFollowing: 0, killsStarting: 0, primaryKills: 0, replicaChecks: 0, recordChecks: 0, fullCopies: 0, feedStates: 0 }
  // The newest state any follower reported: durable by then, so no later check may find the replica older.
  let reported = -1

  let port = 0
  const startPrimary = async (mode: 'write' | 'serve'): Promise<Child> => {
    const child = start(PRIMARY, [primaryDir, String(port), String(RUN_SEED), rootLog, mode])
    const [, listened, seq, root] = (await child.line(l => l.startsWith('L '), 'listening line')).split(' ')
    port = Number(listened)
    if (root !== await history.at(Number(seq))) failures.push(`the primary recovered root ${root} at ${seq}, not the history's`)
    return child
  }
  const startFollower = (): Child => start(FOLLOWER, [`http://127.0.0.1:${port}/`, location])
  const noteStates = (child: Child): void => {
    for (const [kind, seq, how] of child.lines.map(l => l.split(' '))) {
      if (kind !== 'S') continue
      reported = Math.max(reported, Number(seq))
      if (how === 'full') counts.fullCopies++
      if (how === 'feed') counts.feedStates++
    }
  }

  // The replica as a reader finds it once the follower is dead: at a state of the history, no older than reported.
  const checkReplica = async (): Promise<void> => {
    const { ready } = companions(location)
    const directory = existsSync(location) ? location : existsSync(ready) ? ready : null
    if (directory === null) {
      if (reported >= 0) failures.push(`no replica after state ${reported} was reported`)
      return
    }
    counts.replicaChecks++
    const record = JSON.parse(readFileSync(join(directory, 'REPLICA.json'), 'utf8')) as { root: string, seq: number, pending?: { root: string, seq: number } }
    const db = new MerkleLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' })
    const root = toHex(await db.root())
    const entries = (await db.iterator().all()).map(([k, v]) => [toHex(k), toHex(v)])
    await db.close()
    const seq = root === record.root ? record.seq : root === record.pending?.root ? record.pending.seq : null
    if (seq === null) {
      failures.push(`the replica's root ${root} is not one its record ${JSON.stringify(record)} names`)
      return
    }
    if (root !== await history.at(seq)) failures.push(`the replica at ${seq} has root ${root}, not the history's`)
    if (JSON.stringify(entries) !== JSON.stringify(states.at(seq))) failures.push(`the replica at ${seq} does not hold the history's entries`)
    if (seq < reported) failures.push(`the replica is at ${seq}, older than the state ${reported} reported`)
  }

  // The record a live follower keeps names states of the history only.
  const checkRecord = async (): Promise<void> => {
    let text: string
    try { text = readFileSync(join(location, 'REPLICA.json'), 'utf8') } catch { return }
    counts.recordChecks++
    const record = JSON.parse(text) as { root: string, seq: number, pending?: { root: string, seq: number } }
    for (const state of [record, record.pending]) {
      if (state !== undefined && state.root !== await history.at(state.seq)) failures.push(`the record names ${state.root} at ${state.seq}, not the history's root`)
    }
  }

  let primary = await startPrimary('write')
  // Some history first, so that a full copy takes a few round trips.
  await sleep(300)
  let follower = startFollower()
  // Kills the follower now and checks what it left.
  const killFollower = async (): Promise<void> => {
    const copying = existsSync(companions(location).staging)
    await kill(follower)
    counts.followerKills++
    const following = follower.lines.some(l => l.startsWith('S '))
    if (copying) counts.killsInCopy++
    else if (following) counts.killsFollowing++
    else counts.killsStarting++
    noteStates(follower)
    if (follower.stderr() !== '') failures.push(`the follower wrote: ${follower.stderr().slice(0, 500)}`)
    await checkReplica()
  }
  try {
    // First, kills in the middle of full copies, as soon as the copy's staging database exists
    // (however fast the machine): none completes, so each restart copies again.
    for (let i = 0; i < COPY_KILLS && failures.length === 0; i++) {
      if (await until(() => existsSync(companions(location).staging), 10000)) await sleep(randomInt(random, 5))
      await killFollower()
      follower = startFollower()
    }
    while (counts.followerKills + counts.primaryKills < KILLS && failures.length === 0) {
      if (randomInt(random, 5) === 0) {
        await sleep(randomInt(random, 200))
        await kill(primary)
        counts.primaryKills++
        await checkRecord()
        primary = await startPrimary('write')
      } else {
        // Two kinds of moments: soon after the start (a full copy, or a catch-up), or once it follows.
        if (randomInt(random, 5) < 2) {
          await follower.line(l => l === 'O', 'start line')
          await sleep(randomInt(random, 300))
        } else {
          await follower.line(l => l.startsWith('S '), 'first state')
          await sleep(randomInt(random, 150))
        }
        await killFollower()
        // Now and then the replica stays down long enough for its feed position to go.
        if (randomInt(random, 10) === 0) await sleep(200 + randomInt(random, 400))
        follower = startFollower()
      }
    }

    // The end: the primary stops writing; the follower must reach its final state and stop cleanly.
    await kill(primary)
    counts.primaryKills++
    primary = await startPrimary('serve')
    const [, finalSeq, finalRoot] = primary.lines.find(l => l.startsWith('L '))?.split(' ').slice(1) ?? []
    const final = Number(finalSeq)
    if (failures.length === 0) {
      await follower.line(l => l.startsWith('S ') && Number(l.split(' ')[1]) >= final, `state ${final}`)
      follower.process.kill('SIGTERM')
      const exit = await follower.exited
      t.deepEqual(exit, { code: 0, signal: null }, 'the follower stops cleanly on SIGTERM')
      t.ok(follower.lines.includes(`E ${final} ${finalRoot}`), 'and reports the final state')
      noteStates(follower)
      t.deepEqual(JSON.parse(readFileSync(join(location, 'REPLICA.json'), 'utf8')), { root: finalRoot, seq: final }, 'its record names the final state, nothing pending')
      const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
      t.equal(toHex(await db.root()), await history.at(final), `the replica converged to the primary's root after ${final} batches`)
      t.deepEqual((await db.iterator().all()).map(([k, v]) => [toHex(k), toHex(v)]), states.at(final), 'and to its entries')
      await db.close()
    }
  } finally {
    await kill(follower)
    await kill(primary)
  }

  let logged = 0
  for (const [, seq, root] of readFileSync(rootLog, 'utf8').split('\n').filter(l => l !== '').map(l => l.split(' '))) {
    logged++
    if (root !== await history.at(Number(seq))) failures.push(`the primary logged root ${root} after batch ${seq}, not the history's`)
  }
  await history.close()
  t.same(failures, [], `seed ${RUN_SEED}: every kill left a verified state of the primary's history`)
  t.ok(counts.followerKills + counts.primaryKills >= KILLS, `${counts.followerKills + counts.primaryKills} kills`)
  t.ok(counts.killsInCopy > 0 && counts.killsFollowing > 0, 'kills fell during full copies and while following')
  const cpu = process.cpuUsage()
  t.comment(`this process: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`)
  t.comment(`kills: follower ${counts.followerKills} (in a full copy ${counts.killsInCopy}, following ${counts.killsFollowing}, starting ${counts.killsStarting}), primary ${counts.primaryKills}; ` +
    `${counts.replicaChecks} replica checks, ${counts.recordChecks} record checks, ${logged} primary roots checked; states reported: ${counts.fullCopies} full copies, ${counts.feedStates} by the feed`)
})
