/**
 * Replication over loopback, measured (benchmarks/RESULTS.md, "Replication"):
 *
 *     npx tsc -p . && node dist/benchmarks/sync.js [--entries N] [--reps R] [--changes 10,100,10000] [--dir DIR] [--write]
 *
 * A primary of N entries (16-byte keys, 100-byte values) runs in a process
 * of its own (sync-primary.ts) and serves the replication protocol and its
 * own files on 127.0.0.1. This process measures:
 *
 * - a full sync of a new replica (`replicate()`: verified binary range pages
 *   into a staging database, then swapped in), against a copy of the
 *   primary's files (its snapshot and image files, as they are on disk) over
 *   one keep-alive HTTP connection into files fsynced at the end: time, and
 *   the ratio of the rates (the copy's time over the sync's);
 * - catching up after k changes (single-operation batches: updates, new
 *   keys, deletes in turn), from the feed (replica A) and, after a checkpoint
 *   has trimmed the log, by diff (replica B): time, response bytes and round
 *   trips (requests), as the primary counted them.
 *
 * Every figure is the median of R repetitions (the machine is shared).
 * The report goes to standard output; with --write, also into
 * benchmarks/RESULTS.md, between the "Replication" markers (sync-report.ts).
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, openSync, closeSync, fsyncSync, readFileSync, rmSync, createWriteStream, writeFileSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { replicate } from '../index'
import type { ReplicateResult } from '../index'
import type { PrimaryCommand, PrimaryMessage, Traffic } from './sync-primary'
import { describeMachine } from './machine'
import { machineLines } from './report/results-md'
import { REPLICATION_BEGIN, REPLICATION_END, spliceReplication } from './sync-report'

interface Options { entries: number, reps: number, changes: number[], dir: string, write: boolean }

function options (): Options {
  const { values } = parseArgs({
    options: { entries: { type: 'string', default: '100000' }, reps: { type: 'string', default: '3' }, changes: { type: 'string', default: '10,100,10000' }, dir: { type: 'string', default: tmpdir() }, write: { type: 'boolean', default: false } },
    strict: true
  })
  const count = (text: string, name: string): number => {
    const n = Number(text.replace(/_/g, ''))
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} takes a positive integer, not ${text}`)
    return n
  }
  return {
    entries: count(values.entries, 'entries'),
    reps: count(values.reps, 'reps'),
    changes: values.changes.split(',').map(k => count(k, 'changes')),
    dir: values.dir,
    write: values.write
  }
}

// The primary process and a way to ask it something and wait for its answer.
class Primary {
  readonly #child: ChildProcess
  readonly #waiting: Array<(message: PrimaryMessage) => void> = []

  constructor (dir: string, entries: number) {
    this.#child = fork(join(__dirname, 'sync-primary.js'), [dir, String(entries)], { stdio: 'inherit' })
    this.#child.on('message', (message: PrimaryMessage) => this.#waiting.shift()?.(message))
    this.#child.on('exit', code => { if (code !== 0) { console.error(`The primary exited with ${String(code)}`); process.exit(1) } })
  }

  async next (): Promise<PrimaryMessage> {
    return await new Promise(resolve => this.#waiting.push(resolve))
  }

  async ask (command: PrimaryCommand): Promise<PrimaryMessage> {
    const answer = this.next()
    this.#child.send(command)
    return await answer
  }

  async traffic (): Promise<Traffic> {
    const answer = await this.ask({ cmd: 'counters' })
    if (answer.kind !== 'counters') throw new Error('The primary did not report its counters')
    return answer.replication
  }

  async filesTraffic (): Promise<Traffic> {
    const answer = await this.ask({ cmd: 'counters' })
    if (answer.kind !== 'counters') throw new Error('The primary did not report its counters')
    return answer.files
  }

  stop (): void {
    this.#child.removeAllListeners('exit')
    this.#child.send({ cmd: 'exit' })
  }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// Copies the files over one keep-alive connection into `into`, each fsynced.
async function copyFiles (url: string, files: Array<{ name: string, size: number }>, into: string): Promise<void> {
  mkdirSync(into, { recursive: true })
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (const file of files) {
      const target = join(into, file.name)
      await new Promise<void>((resolve, reject) => {
        get(`${url}files/${file.name}`, { agent }, res => {
          if (res.statusCode !== 200) { reject(new Error(`${file.name}: ${String(res.statusCode)}`)); return }
          const out = createWriteStream(target)
          res.pipe(out)
          out.on('finish', resolve)
          out.on('error', reject)
        }).on('error', reject)
      })
      const fd = openSync(target, 'r')
      fsyncSync(fd)
      closeSync(fd)
    }
  } finally {
    agent.destroy()
  }
}

interface Measured { ms: number, traffic: Traffic, how: ReplicateResult['how'] }

async function timedReplicate (primary: Primary, url: string, location: string, root: string): Promise<Measured> {
  await primary.traffic()
  const started = performance.now()
  const result = await replicate(url, location)
  const ms = performance.now() - started
  if (result.root !== root) throw new Error(`The replica reached ${result.root}, not ${root}`)
  return { ms, traffic: await primary.traffic(), how: result.how }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const mib = (bytes: number): string => `${fmt(bytes / 1048576, bytes < 1048576 ? 3 : 1)} MiB`

async function main (): Promise<void> {
  const opts = options()
  const machine = describeMachine(opts.dir)
  const started = new Date().toISOString()
  const dir = mkdtempSync(join(opts.dir, 'merkle-level-sync-'))
  const primary = new Primary(dir, opts.entries)
  try {
    const ready = await primary.next()
    if (ready.kind !== 'ready') throw new Error('The primary did not start')
    const { url, files } = ready
    let root = ready.root
    const fileBytes = files.reduce((sum, f) => sum + f.size, 0)
    console.error(`primary of ${opts.entries} entries ready: ${files.length} files, ${fileBytes} bytes`)

    // Full sync against the file copy, alternated so that both see the same load.
    const syncs: Measured[] = []
    const copies: number[] = []
    const replicas: string[] = []
    for (let rep = 0; rep < opts.reps; rep++) {
      const location = join(dir, `replica-${rep}`)
      syncs.push(await timedReplicate(primary, url, location, root))
      if (rep < 2) replicas.push(location)
      else rmSync(location, { recursive: true, force: true })
      await primary.filesTraffic()
      const into = join(dir, `copy-${rep}`)
      const started = performance.now()
      await copyFiles(url, files, into)
      copies.push(performance.now() - started)
      rmSync(into, { recursive: true, force: true })
      console.error(`rep ${rep}: full sync ${fmt(syncs[rep].ms)} ms, file copy ${fmt(copies[rep])} ms`)
    }
    // Two replicas go on: one catches up by the feed, the other by diff.
    while (replicas.length < 2) {
      const location = join(dir, `replica-${replicas.length + opts.reps}`)
      await timedReplicate(primary, url, location, root)
      replicas.push(location)
    }
    const [feedReplica, diffReplica] = replicas

    // Catching up: the feed must start after the newest checkpoint, which the primary takes now.
    root = (await primary.ask({ cmd: 'checkpoint' }) as { root: string }).root
    await timedReplicate(primary, url, feedReplica, root)
    await timedReplicate(primary, url, diffReplica, root)
    const catchUps: Array<{ k: number, feed: Measured[], diff: Measured[] }> = []
    for (const k of opts.changes) {
      const row = { k, feed: [] as Measured[], diff: [] as Measured[] }
      for (let rep = 0; rep < opts.reps; rep++) {
        root = (await primary.ask({ cmd: 'change', k }) as { root: string }).root
        row.feed.push(await timedReplicate(primary, url, feedReplica, root))
        root = (await primary.ask({ cmd: 'checkpoint' }) as { root: string }).root
        row.diff.push(await timedReplicate(primary, url, diffReplica, root))
        console.error(`k=${k} rep ${rep}: feed ${row.feed[rep].how} ${fmt(row.feed[rep].ms)} ms, diff ${row.diff[rep].how} ${fmt(row.diff[rep].ms)} ms`)
      }
      catchUps.push(row)
    }

    // The report, in Markdown.
    const syncMs = median(syncs.map(s => s.ms))
    const copyMs = median(copies)
    const lines = [
      `N = ${fmt(opts.entries)} entries, ${opts.reps} repetitions, medians.`,
      '',
      '| measurement | time | response bytes | requests |',
      '|---|---:|---:|---:|',
      `| full sync, \`replicate()\` into a new replica | ${fmt(syncMs)} ms (${fmt(opts.entries / syncMs * 1000)} entries/s) | ${mib(median(syncs.map(s => s.traffic.bytes)))} | ${fmt(median(syncs.map(s => s.traffic.requests)))} |`,
      `| copy of the primary's ${files.length} files over one HTTP connection | ${fmt(copyMs)} ms (${fmt(opts.entries / copyMs * 1000)} entries/s) | ${mib(fileBytes)} | ${files.length} |`,
      `| ratio of the rates, sync ÷ copy (target ≥ 0.5) | ${fmt(copyMs / syncMs, 2)} | | |`,
      ''
    ]
    lines.push('| catch-up after k changes | way | time | response bytes | requests |', '|---|---|---:|---:|---:|')
    for (const row of catchUps) {
      for (const [label, runs] of [['from the feed', row.feed], ['by diff (log trimmed)', row.diff]] as const) {
        const ways = [...new Set(runs.map(r => r.how))].join(', ')
        lines.push(`| k = ${fmt(row.k)}, ${label} | ${ways} | ${fmt(median(runs.map(r => r.ms)))} ms | ${mib(median(runs.map(r => r.traffic.bytes)))} | ${fmt(median(runs.map(r => r.traffic.requests)))} |`)
      }
    }
    console.log(lines.join('\n'))
    if (opts.write) {
      const path = join(__dirname, '..', '..', 'benchmarks', 'RESULTS.md')
      const command = ['node dist/benchmarks/sync.js', ...process.argv.slice(2)].join(' ')
      const section = [
        REPLICATION_BEGIN,
        '## Replication',
        '',
        `Generated by \`${command}\` on ${started}: a primary of N entries (16-byte keys, 100-byte values, the large run's data) in a process of its own, serving on 127.0.0.1; the replica in the benchmark's process.`,
        '',
        ...machineLines(machine),
        '',
        ...lines,
        '',
        'How each figure is made:',
        '',
        '- Full sync: `replicate(url, dir)` into a new directory: binary range pages verified against the pinned root, written into a staging database, its root checked, then renamed into place. The copy: every file of the primary\'s directory after a checkpoint (its snapshot and image files), fetched one after another over one keep-alive connection from a plain `node:http` file server in the primary\'s process, written to disk and fsynced. The ratio is the copy\'s time over the sync\'s.',
        '- Catch-up: k batches of one operation each on the primary (an update of a loaded key, a new key, a delete of a loaded key, in turn), then `replicate()` of a replica that was current before them. From the feed: the primary\'s log still holds them. By diff: the same k batches, then a checkpoint that trims the log and a new replication handler (as after a restart of the primary: the tail of the feed a handler keeps for followers would still hold the position), then `replicate()` of a second replica (the feed position is gone). The way column is what `replicate()` reported.',
        '- Response bytes: the bodies the primary wrote, headers not counted; requests: the HTTP requests it answered for that step (`info` included), each one round trip.',
        REPLICATION_END
      ].join('\n')
      let previous: string | null = null
      try { previous = readFileSync(path, 'utf8') } catch {}
      writeFileSync(path, spliceReplication(previous, section))
      console.error(`Wrote the Replication section of ${path}`)
    }
  } finally {
    primary.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
