/**
 * Follow lag: how long a batch committed on a primary takes to be applied,
 * verified and durable on a replica that follows it, through the public
 * surface only:
 *
 *     npm run build && node dist/benchmarks/follow-lag.js [rate=1000] [seconds=10] [entries=10000] [dir]
 *
 * A child process holds the primary: `entries` entries loaded first, served
 * with `startReplicationServer` on 127.0.0.1, then batches of four puts
 * (16-byte keys, 100-byte values; synced, the default) issued at `rate` a
 * second for `seconds`, each one's commit time taken when its write
 * resolves. This process follows it with `follow()` into a replica of its
 * own (after a full copy of the loaded state) and takes the time of each
 * state it reaches (`onState`: the state is verified and durable). The lag
 * of batch s is the time of the first state at or after s minus s's commit
 * time. Both clocks are `performance.timeOrigin + performance.now()` on the
 * same machine. Prints the achieved rate and the lag's median, p90, p99 and
 * maximum, and how many batches a step of the follower applied on average.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { MerkleLevel, follow, startReplicationServer } from '../index'

const now = (): number => performance.timeOrigin + performance.now()

const key = (i: number): string => `key-${String(i).padStart(12, '0')}`
const value = (i: number): string => `value-${i}-`.padEnd(100, '.')

// The child: load, serve, wait for "go", write at the rate, print "<seq> <time>" for each commit, then "done".
async function primary (location: string, rate: number, seconds: number, entries: number): Promise<void> {
  const db = new MerkleLevel(location)
  for (let from = 0; from < entries; from += 1000) {
    await db.batch(Array.from({ length: Math.min(1000, entries - from) }, (_, j) => ({ type: 'put' as const, key: key(from + j), value: value(from + j) })))
  }
  const serving = await startReplicationServer(db, { port: 0 })
  const base = (db.snapshot() as unknown as { seq: number }).seq
  process.stdout.write(`url ${serving.url}/ ${base}\n`)
  await new Promise(resolve => process.stdin.once('data', resolve))
  const total = rate * seconds
  const commits = new Float64Array(total)
  const writes: Array<Promise<void>> = []
  const start = now()
  for (let i = 0; i < total; i++) {
    const due = start + i * 1000 / rate
    const ahead = due - now()
    if (ahead > 1) await new Promise(resolve => setTimeout(resolve, ahead))
    // Not awaited: writes issued while one syncs share its fsync, as an application's would.
    writes.push(db.batch(Array.from({ length: 4 }, (_, j) => ({ type: 'put' as const, key: key((i * 7919 + j * 104729) % (entries * 2)), value: value(i) })))
      .then(() => { commits[i] = now() }))
  }
  await Promise.all(writes)
  const last = db.snapshot() as unknown as { seq: number, close: () => Promise<void> }
  if (last.seq !== base + total) throw new Error(`expected seq ${base + total}, got ${last.seq}`)
  await last.close()
  process.stdout.write(`commits ${JSON.stringify(Array.from(commits))}\n`)
  await new Promise(resolve => process.stdin.once('data', resolve))
  await serving.close()
  await db.close()
}

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

async function main (): Promise<void> {
  const rate = Number(process.argv[2] ?? 1000)
  const seconds = Number(process.argv[3] ?? 10)
  const entries = Number(process.argv[4] ?? 10_000)
  const dir = mkdtempSync(join(process.argv[5] ?? tmpdir(), 'merkle-level-follow-lag-'))
  const load = loadavg()[0]
  const child = spawn(process.execPath, [__filename, 'primary', join(dir, 'primary'), String(rate), String(seconds), String(entries)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<string> => {
    const line = await lines.next()
    if (line.done === true) throw new Error('the primary ended early')
    return line.value
  }
  const [, url, baseText] = (await next()).split(' ')
  const base = Number(baseText)
  const reached: Array<{ seq: number, time: number }> = []
  const controller = new AbortController()
  let atBase: () => void = () => {}
  const ready = new Promise<void>(resolve => { atBase = resolve })
  let target = Infinity
  let atEnd: () => void = () => {}
  const end = new Promise<void>(resolve => { atEnd = resolve })
  const following = follow(url, join(dir, 'replica'), {
    signal: controller.signal,
    onState: state => {
      reached.push({ seq: state.seq, time: now() })
      if (state.seq >= base) atBase()
      if (state.seq >= target) atEnd()
    }
  })
  await ready
  child.stdin.write('go\n')
  const commits = JSON.parse((await next()).slice('commits '.length)) as number[]
  target = base + commits.length
  if (reached[reached.length - 1].seq >= target) atEnd()
  await end
  controller.abort()
  await following
  const exited = new Promise(resolve => child.once('close', resolve))
  child.stdin.end('stop\n')
  await exited

  const lags: number[] = []
  let r = 0
  for (let i = 0; i < commits.length; i++) {
    while (reached[r].seq < base + i + 1) r++
    lags.push(reached[r].time - commits[i])
  }
  lags.sort((a, b) => a - b)
  const steps = reached.filter(s => s.seq > base).length
  const span = (commits[commits.length - 1] - commits[0]) / 1000
  console.log(`follow lag: ${commits.length} batches of 4 puts over ${span.toFixed(1)} s (${(commits.length / span).toFixed(0)} batches/s) on a primary of ${entries} entries; load average ${load.toFixed(2)}`)
  console.log(`  lag (commit on the primary to verified and durable on the replica): median ${quantile(lags, 0.5).toFixed(1)} ms, p90 ${quantile(lags, 0.9).toFixed(1)} ms, p99 ${quantile(lags, 0.99).toFixed(1)} ms, max ${lags[lags.length - 1].toFixed(1)} ms`)
  console.log(`  the replica applied them in ${steps} steps (${(commits.length / steps).toFixed(1)} batches per step)`)
  rmSync(dir, { recursive: true, force: true })
}

if (process.argv[2] === 'primary') {
  primary(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])).catch(err => {
    console.error(err)
    process.exit(1)
  })
} else {
  main().catch(err => {
    console.error(err)
    process.exit(1)
  })
}
