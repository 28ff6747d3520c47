/**
 * The side-by-side run: every selected suite, for every store it applies
 * to, repeated; repetitions interleave the stores so that a slow spell of
 * the machine does not fall on one store only. Writes RESULTS.md,
 * results.svg and results.json next to this file's source, or into --out
 * (a partial run need not replace the committed report).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Args } from './args'
import { METRICS, SUITES, subjectsOf } from './catalog'
import type { SuiteName } from './catalog'
import { keptLarge } from './large/report'
import { keptReplication } from './sync-report'
import { describeMachine } from './machine'
import { makePlan } from './plan'
import { renderChart } from './report/chart'
import { keptNotes, renderResults } from './report/results-md'
import { evaluateTargets } from './report/targets'
import { addSamples } from './results'
import type { RunResults } from './results'
import { runJob } from './spawn'
import { now } from './timing'

/** The source directory of the benchmarks (this file runs from dist/benchmarks). */
export const SOURCE_DIR = join(__dirname, '..', '..', 'benchmarks')

/** Suites named by --only, directly or through one of their metrics; all when none is named. */
export function selectSuites (only: string[]): SuiteName[] {
  if (only.length === 0) return [...SUITES]
  const wanted = new Set<SuiteName>()
  for (const name of only) {
    const suite = SUITES.find(s => s === name) ?? METRICS.find(m => m.id === name)?.suite
    if (suite === undefined) throw new Error(`--only: no suite or metric is called ${JSON.stringify(name)} (suites: ${SUITES.join(', ')})`)
    wanted.add(suite)
  }
  return SUITES.filter(s => wanted.has(s))
}

/** The command that reproduces a run. */
export function commandOf (argv: string[]): string {
  return argv.length === 0 ? 'npm run bench' : `npm run bench -- ${argv.join(' ')}`
}

/** Runs the comparison and writes its reports. */
export async function compare (args: Args): Promise<void> {
  const plan = makePlan(args.quick, args.size)
  const suites = selectSuites(args.only)
  const results: RunResults = {
    date: new Date().toISOString(),
    command: commandOf(args.argv),
    machine: describeMachine(args.dir),
    plan,
    reps: args.reps,
    suites,
    samples: {},
    failures: []
  }
  const timeoutMs = args.quick ? 5 * 60_000 : 60 * 60_000
  for (const suite of suites) {
    for (let rep = 1; rep <= args.reps; rep++) {
      for (const subject of subjectsOf(suite)) {
        const started = now()
        try {
          const { figures } = await runJob({ suite, subject, plan, baseDir: args.dir }, timeoutMs)
          addSamples(results.samples, subject, figures)
          process.stderr.write(`${suite} · ${subject} · ${rep}/${args.reps}: ${((now() - started) / 1000).toFixed(1)} s\n`)
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          results.failures.push(`repetition ${rep}: ${message}`)
          process.stderr.write(`${message}\n`)
        }
      }
    }
  }
  await writeReports(results, args.out ?? SOURCE_DIR)
}

async function writeReports (results: RunResults, outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true })
  const chart = renderChart(results)
  if (chart !== null) await writeFile(join(outDir, 'results.svg'), chart)
  const path = join(outDir, 'RESULTS.md')
  const previous = await readFile(path, 'utf8').catch(() => null)
  const markdown = renderResults(results, chart === null ? null : 'results.svg', keptNotes(previous))
  // The sections of the large run (--large) and of the replication benchmark are not this run's to rewrite: they are carried over.
  const kept = [keptLarge(previous), keptReplication(previous)].filter(section => section !== null)
  await writeFile(path, [markdown, ...kept].join('\n') + (kept.length > 0 ? '\n' : ''))
  await writeFile(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  process.stdout.write(markdown.slice(0, markdown.indexOf('## How each figure')) + '\n')
  const missed = evaluateTargets(results).filter(t => t.status === 'missed').length
  process.stdout.write(`Wrote RESULTS.md, results.svg and results.json in ${outDir}; ${missed} target${missed === 1 ? '' : 's'} missed.\n`)
  if (results.failures.length > 0) process.exitCode = 1
}
