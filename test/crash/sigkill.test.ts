/**
 * Real SIGKILL torture on real directories (after RocksDB's crash tests):
 * child processes (sigkill-child.ts) run random workloads and are killed,
 * half of the time at a random moment by this process, half of the time by
 * themselves at a named kill point inside a protocol (log append and sync,
 * directory sync, snapshot write, sync and rename, log retirement, cleanup,
 * segment rewrite; a SIGKILL leaves no torn tail unless it lands inside a
 * write call, so tail truncation is exercised by the simulated-disk tests). Each child first verifies what the
 * previous one left (open succeeds; last-acknowledged ≤ k ≤ last-issued; the
 * exact contents after k batches, never part of a batch; the root of a fresh
 * tree of them; no temporary file), and this process verifies the end state
 * once more. Two directories are tortured side by side. CRASH_EFFORT
 * multiplies the number of kills (500 by default).
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { randomInt, seededRandom } from '../util/sim/prng'
import type { Random } from '../util/sim/prng'
import { EFFORT, SEED } from '../util/crash/effort'
import { boundsOf, verifyAgainst } from '../util/crash/kill-log'
import { tempLocation } from '../util/temp'

const KILLS = 500 * EFFORT
const LANES = 2
const CHILD = join(__dirname, 'sigkill-child.js')
// How often each kill point comes up per child, roughly: rare ones are asked for early.
const POINTS: Array<[string, number]> = [
  ['wal-append', 60], ['wal-sync', 40], ['dir-sync', 4], ['snapshot-write', 3], ['snapshot-sync', 2],
  ['snapshot-rename', 2], ['wal-retire', 2], ['cleanup', 2], ['segment-rewrite', 2]
]

interface Counts {
  kills: number
  randomKills: number
  pointKills: Record<string, number>
  completed: number
  children: number
  failures: string[]
}

interface Outcome { signal: NodeJS.Signals | null, code: number | null, stderr: string }

function runChild (directory: string, log: string, seed: number, killAt: string | null, delay: number | null): Promise<Outcome> {
  return new Promise(resolve => {
    const env = { ...process.env, MERKLE_KILL_AT: killAt ?? '' }
    const child = spawn(process.execPath, [CHILD, directory, log, String(seed)], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      // 'O': the child is about to open the database; the random kill is timed from there.
      if (delay !== null && timer === undefined && chunk.toString().includes('O')) {
        timer = setTimeout(() => child.kill('SIGKILL'), delay)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })
}

async function lane (index: number, kills: number, counts: Counts, random: Random): Promise<{ directory: string, log: string }> {
  const directory = tempLocation(`sigkill-${index}`)
  const log = `${directory}.log`
  writeFileSync(log, '')
  let laneKills = 0
  while (laneKills < kills) {
    const byPoint = randomInt(random, 2) === 0
    const [point, frequency] = POINTS[randomInt(random, POINTS.length)]
    const killAt = byPoint ? `${point}:${1 + randomInt(random, frequency)}:${randomInt(random, 2) === 0 ? 'before' : 'after'}` : null
    // Mostly during the workload; a fifth of the random kills land in or near open().
    const delay = byPoint ? null : (randomInt(random, 5) === 0 ? randomInt(random, 15) : randomInt(random, 150))
    const outcome = await runChild(directory, log, randomInt(random, 2 ** 31), killAt, delay)
    counts.children++
    if (outcome.signal === 'SIGKILL') {
      laneKills++
      counts.kills++
      if (byPoint) counts.pointKills[point] = (counts.pointKills[point] ?? 0) + 1
      else counts.randomKills++
    } else if (outcome.code === 0) {
      counts.completed++
    } else {
      counts.failures.push(`child exited with ${String(outcome.code)}: ${outcome.stderr.slice(0, 500)}`)
    }
    const failed = boundsOf(readFileSync(log, 'utf8')).failures
    if (failed.length > 0 || counts.failures.length > 0) {
      counts.failures.push(...failed)
      break
    }
  }
  return { directory, log }
}

test(`SIGKILL torture: ${KILLS} kills in ${LANES} directories, each verified by a fresh process`, async t => {
  const counts: Counts = { kills: 0, randomKills: 0, pointKills: {}, completed: 0, children: 0, failures: [] }
  const random = seededRandom(SEED + 77)
  const lanes = await Promise.all(Array.from({ length: LANES }, async (_, i) => await lane(i, Math.ceil(KILLS / LANES), counts, seededRandom(randomInt(random, 2 ** 31)))))
  t.same(counts.failures, [], 'every child verified what the previous one left')

  // The last word: this process opens each directory and checks it once more.
  let verifications = 0
  for (const { directory, log } of lanes) {
    const bounds = boundsOf(readFileSync(log, 'utf8'))
    verifications += bounds.verified
    const db = new MerkleLevel(directory)
    await db.open()
    t.same(await verifyAgainst(db, bounds, directory), [], `${directory}: final state of ${db.recovery?.seq ?? -1} batches`)
    await db.close()
  }
  t.ok(counts.kills >= KILLS, `${counts.kills} kills`)
  const points = Object.entries(counts.pointKills).sort().map(([p, n]) => `${p} ${n}`).join(', ')
  t.comment(`kills: ${counts.kills} (${counts.randomKills} at random moments; at kill points: ${points}); ${counts.completed} children finished without being killed; ${verifications} recoveries verified`)
})
