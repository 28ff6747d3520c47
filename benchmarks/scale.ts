/**
 * The --scaling run: merkle-level at 1e4, 1e5 and 1e6 entries, each size
 * in a worker of its own, repeated; the medians go into the generated
 * block of docs/PERFORMANCE.md.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Args } from './args'
import { commandOf, SOURCE_DIR } from './compare'
import { describeMachine } from './machine'
import { makePlan } from './plan'
import { renderScalingBlock, spliceScalingBlock } from './report/scaling-md'
import type { ScalingRow } from './report/scaling-md'
import { addSamples, medianOf } from './results'
import type { RunResults } from './results'
import { runJob } from './spawn'
import { SCALING_METRICS, scalingSizes } from './workloads/scaling'

const PERFORMANCE_MD = join(SOURCE_DIR, '..', 'docs', 'PERFORMANCE.md')

async function readOrNull (path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return null
  }
}

/** Runs the scaling measurements and rewrites the block of docs/PERFORMANCE.md. */
export async function scale (args: Args): Promise<void> {
  const machine = describeMachine(args.dir)
  const rows: ScalingRow[] = []
  for (const entries of scalingSizes(args.quick)) {
    const plan = makePlan(args.quick, entries)
    // A RunResults of one size, so that the medians are taken as in the comparison.
    const results: RunResults = { date: '', command: '', machine, plan, reps: args.reps, suites: ['scaling'], samples: {}, failures: [] }
    for (let rep = 1; rep <= args.reps; rep++) {
      const { figures } = await runJob({ suite: 'scaling', subject: 'merkle-level', plan, baseDir: args.dir }, 60 * 60_000)
      addSamples(results.samples, 'merkle-level', figures)
      process.stderr.write(`scaling · ${entries} entries · ${rep}/${args.reps}\n`)
    }
    rows.push({ entries, figures: Object.fromEntries(SCALING_METRICS.map(m => [m.id, medianOf(results, 'merkle-level', m.id)])) })
  }
  const block = renderScalingBlock(rows, commandOf(args.argv), new Date().toISOString(), machine, args.reps)
  await writeFile(PERFORMANCE_MD, spliceScalingBlock(await readOrNull(PERFORMANCE_MD), block))
  process.stdout.write(block + '\nWrote docs/PERFORMANCE.md.\n')
}
