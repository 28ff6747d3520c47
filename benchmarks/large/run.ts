/**
 * `npm run bench -- --large [--entries N]`: a database of N entries
 * (default 5e7, more than merkle-level can hold in memory today) in
 * merkle-level and classic-level, and memory-level up to 2e6 entries, in
 * one run: each store's children one after the other, merkle-level's
 * simulated crash last on the database its other children left. Writes the "Large database" section of RESULTS.md and
 * large.json, next to this file's source or into --out.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Args } from '../args'
import { commandOf, SOURCE_DIR } from '../compare'
import { describeMachine } from '../machine'
import type { StoreName } from '../stores'
import { runChild } from './spawn'
import type { ChildOutcome } from './spawn'
import { renderLarge, spliceLarge } from './report'
import type { LargeResults, StoreOutcome } from './results'

/** N when --entries is not given. */
export const DEFAULT_ENTRIES = 50_000_000
/** memory-level holds everything in the heap: above this it would measure the heap limit, not the store. */
const MEMORY_LEVEL_MAX = 2_000_000
/** The log written before the crash: merkle-level's default checkpointBytes (64 MiB), the most a log holds before a checkpoint starts. */
const LOG_BYTES = 64 * 1024 * 1024

// At least 20 minutes a child, and time for a slow 5,000 entries/s.
function timeoutMs (entries: number): number {
  return Math.max(20 * 60_000, entries / 5_000 * 1000)
}

function record (outcome: StoreOutcome, child: ChildOutcome, phase: string): boolean {
  // Peak memory is the most any of the store's processes had (each one's is kept in large.json,
  // as peak-rss-<phase>); every other figure comes from one process.
  const own = child.figures['peak-rss']
  const peak = Math.max(outcome.figures['peak-rss'] ?? 0, own ?? 0)
  Object.assign(outcome.figures, child.figures)
  if (own !== undefined) outcome.figures[`peak-rss-${phase}`] = own
  if (peak > 0) outcome.figures['peak-rss'] = peak
  if (child.failure !== null) outcome.failures.push(child.failure)
  return child.failure === null
}

async function measureStore (store: StoreName, dir: string, entries: number): Promise<StoreOutcome> {
  const outcome: StoreOutcome = { figures: {}, failures: [], skipped: [] }
  const location = join(dir, store)
  try {
    const inMemory = store === 'memory-level'
    process.stderr.write(`large · ${store} · load, reopen, reads${inMemory ? ', batches' : ''}\n`)
    const loaded = record(outcome, await runChild({ kind: 'load', store, location, entries, writes: inMemory }, timeoutMs(entries)), 'load')
    if (inMemory) return outcome
    if (!loaded) {
      outcome.skipped.push('cold open and gets, and batches on the loaded database, not run: the loading process did not finish')
      return outcome
    }
    process.stderr.write(`large · ${store} · cold open and gets\n`)
    record(outcome, await runChild({ kind: 'cold', store, location, entries }, timeoutMs(entries)), 'cold')
    process.stderr.write(`large · ${store} · batches on the loaded database\n`)
    record(outcome, await runChild({ kind: 'writes', store, location, entries }, timeoutMs(entries)), 'writes')
    if (store === 'merkle-level') await measureCrash(outcome, location, entries)
    return outcome
  } finally {
    // The next store gets the disk to itself.
    await rm(location, { recursive: true, force: true })
  }
}

// On the database the other children left: loading it again would double the run's longest part.
async function measureCrash (outcome: StoreOutcome, location: string, entries: number): Promise<void> {
  process.stderr.write('large · merkle-level · crash with a full log\n')
  const logged = await runChild({ kind: 'crash-log', store: 'merkle-level', location, entries, logBytes: LOG_BYTES }, timeoutMs(entries), true)
  const expected = logged.figures['crash-entries']
  delete logged.figures['crash-entries']
  if (!record(outcome, logged, 'crash-log') || expected === undefined) {
    outcome.skipped.push('open after a crash not run: the process that writes the log did not get that far')
    return
  }
  record(outcome, await runChild({ kind: 'crash-open', store: 'merkle-level', location, entries: expected }, timeoutMs(entries)), 'crash-open')
}

/** Runs the large-database measurements and writes their section and JSON. */
export async function runLarge (args: Args): Promise<void> {
  const entries = args.entries ?? DEFAULT_ENTRIES
  const results: LargeResults = {
    date: new Date().toISOString(),
    command: commandOf(args.argv),
    machine: describeMachine(args.dir),
    entries,
    logBytes: LOG_BYTES,
    stores: {}
  }
  const stores: StoreName[] = entries <= MEMORY_LEVEL_MAX ? ['merkle-level', 'classic-level', 'memory-level'] : ['merkle-level', 'classic-level']
  const dir = await mkdtemp(join(args.dir, 'merkle-level-bench-large-'))
  try {
    for (const store of stores) results.stores[store] = await measureStore(store, dir, entries)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  await writeReports(results, args.out ?? SOURCE_DIR)
}

async function writeReports (results: LargeResults, outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true })
  const path = join(outDir, 'RESULTS.md')
  const section = renderLarge(results)
  const previous = await readFile(path, 'utf8').catch(() => null)
  await writeFile(path, spliceLarge(previous, section))
  await writeFile(join(outDir, 'large.json'), JSON.stringify(results, null, 2) + '\n')
  process.stdout.write(`${section}\n\nWrote the "Large database" section of RESULTS.md and large.json in ${outDir}.\n`)
  const failed = Object.values(results.stores).some(outcome => outcome.failures.length > 0)
  if (failed) process.exitCode = 1
}
