/**
 * Command-line options of `npm run bench -- [options]`.
 */
import os from 'node:os'
import { parseArgs } from 'node:util'

/** The options of one run. */
export interface Args {
  /** Small sizes and one repetition: a smoke run. */
  quick: boolean
  /** Suites or metric ids to run (comma-separated on the command line); empty: all. */
  only: string[]
  /** Entries of the large database (default 1,000,000; --quick 20,000). */
  size: number | undefined
  /** Repetitions of each suite (default 3; --quick 1). */
  reps: number
  /** Where the databases are written (default: the system's temporary directory). */
  dir: string
  /** Where RESULTS.md, results.svg and results.json are written (default: benchmarks/). */
  out: string | undefined
  /** Measure merkle-level at 1e4, 1e5 and 1e6 entries for docs/PERFORMANCE.md instead (with neither --only, --size nor --out). */
  scaling: boolean
  /** The large-database run instead (large/run.ts): N entries, with neither --quick, --only, --size, --reps nor --scaling. */
  large: boolean
  /** Entries of the large-database run (default 5e7). */
  entries: number | undefined
  /** The arguments as given, for the report. */
  argv: string[]
}

/** One line of help, printed by --help and after a bad option. */
export const USAGE = 'Usage: npm run bench -- [--quick] [--only suite-or-metric[,...]] [--size N] [--reps N] [--dir DIR] [--out DIR] [--scaling] [--large [--entries N]]'

function positiveInteger (text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined
  // Plain digits with optional underscores, or exponent notation (5e7).
  const value = Number(text.replace(/_/g, ''))
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} takes a positive integer, not ${JSON.stringify(text)}`)
  return value
}

/** Parses `argv` (without node and the script). */
export function parseCommandLine (argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      size: { type: 'string' },
      reps: { type: 'string' },
      dir: { type: 'string' },
      out: { type: 'string' },
      scaling: { type: 'boolean', default: false },
      large: { type: 'boolean', default: false },
      entries: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help === true) {
    process.stdout.write(USAGE + '\n')
    process.exit(0)
  }
  const quick = values.quick === true
  // The scaling run has its own sizes and suites and writes into docs/PERFORMANCE.md: flags that
  // choose a run's suites, size or report place would be ignored, so they are refused.
  if (values.scaling === true) {
    const ignored = (['only', 'size', 'out'] as const).filter(name => values[name] !== undefined)
    if (ignored.length > 0) throw new Error(`--scaling does not take ${ignored.map(name => `--${name}`).join(', ')}`)
  }
  // The large run has one size (--entries), one repetition and its own suite: the flags that
  // choose those for the comparison would be ignored, so they are refused.
  if (values.large === true) {
    const ignored = (['quick', 'only', 'size', 'reps', 'scaling'] as const)
      .filter(name => values[name] !== undefined && values[name] !== false)
    if (ignored.length > 0) throw new Error(`--large does not take ${ignored.map(name => `--${name}`).join(', ')}`)
  } else if (values.entries !== undefined) {
    throw new Error('--entries goes with --large (the comparison takes --size)')
  }
  return {
    quick,
    only: (values.only ?? []).flatMap(item => item.split(',')).map(item => item.trim()).filter(item => item !== ''),
    size: positiveInteger(values.size, 'size'),
    reps: positiveInteger(values.reps, 'reps') ?? (quick ? 1 : 3),
    dir: values.dir ?? os.tmpdir(),
    out: values.out,
    scaling: values.scaling === true,
    large: values.large === true,
    entries: positiveInteger(values.entries, 'entries'),
    argv
  }
}
