/**
 * The "Large database" section of RESULTS.md: the figures of each store,
 * merkle/classic, and the targets of issue 19 with met / missed. The
 * section sits between markers, so that a large run replaces it alone and
 * the comparison (which rewrites the rest of the file) carries it over.
 */
import { keptSection, spliceSection } from '../report/marked-section'
import { formatAmount, formatBytes, formatRatio, formatValue, ratio } from '../report/format'
import { machineLines } from '../report/results-md'
import { STORES } from '../stores'
import type { StoreName } from '../stores'
import { COLD_GETS, ENTRY_BYTES, LOADED_BATCHES, WARM_GETS } from './phases'
import type { LargeResults } from './results'

/** Marks the start of the section. */
export const LARGE_BEGIN = '<!-- large:begin (written by npm run bench -- --large) -->'
/** Marks its end. */
export const LARGE_END = '<!-- large:end -->'

type Unit = 'entries/s' | 'ops/s' | 's' | 'ms' | 'x' | 'B'

/** merkle-level's bound: an absolute one, or a ratio to a classic-level figure. */
type Target =
  | { kind: 'at most', value: number }
  | { kind: 'ratio', at: 'least' | 'most', value: number, classic: string }

interface Row {
  id: string
  label: string
  unit: Unit
  stores: readonly StoreName[]
  target?: Target
}

const ALL: readonly StoreName[] = STORES
const DURABLE: readonly StoreName[] = ['merkle-level', 'classic-level']
const MERKLE: readonly StoreName[] = ['merkle-level']
const GIB = 1024 ** 3

function rows (logBytes: number): Row[] {
  return [
    { id: 'load-rate', label: 'load N entries in batches of 1000, sync: false', unit: 'entries/s', stores: ALL },
    { id: 'load-s', label: 'the same: time spent in db.batch()', unit: 's', stores: ALL },
    { id: 'write-amp', label: 'write amplification: bytes to disk over load + close ÷ N × 116 B', unit: 'x', stores: DURABLE, target: { kind: 'ratio', at: 'most', value: 1.5, classic: 'write-amp' } },
    { id: 'wchar-amp', label: 'the same, bytes passed to write()', unit: 'x', stores: DURABLE },
    { id: 'peak-rss', label: 'peak resident memory of a process', unit: 'B', stores: ALL, target: { kind: 'at most', value: GIB } },
    { id: 'open-ms', label: 'open() after close', unit: 'ms', stores: DURABLE, target: { kind: 'at most', value: 200 } },
    { id: 'open-fresh-ms', label: 'open() in a fresh process', unit: 'ms', stores: DURABLE },
    { id: 'get-warm', label: `random get, warm: ${WARM_GETS.toLocaleString('en-US')} after as many as warmup`, unit: 'ops/s', stores: ALL, target: { kind: 'ratio', at: 'least', value: 1, classic: 'get-warm' } },
    { id: 'get-cold', label: `random get, cold: the first ${COLD_GETS.toLocaleString('en-US')} after open in a fresh process`, unit: 'ops/s', stores: DURABLE, target: { kind: 'ratio', at: 'least', value: 1, classic: 'get-cold' } },
    { id: 'iterate', label: 'full iteration, keys and values as Buffers', unit: 'entries/s', stores: ALL, target: { kind: 'ratio', at: 'least', value: 2, classic: 'iterate' } },
    { id: 'batch-loaded', label: `batches of 1000, sync: false, on the loaded database (up to ${LOADED_BATCHES})`, unit: 'entries/s', stores: ALL, target: { kind: 'ratio', at: 'least', value: 0.7, classic: 'batch-loaded' } },
    { id: 'batch-root-loaded', label: 'the same with await db.root() after each (ratio: to classic-level\'s batches)', unit: 'entries/s', stores: MERKLE, target: { kind: 'ratio', at: 'least', value: 0.3, classic: 'batch-loaded' } },
    { id: 'open-crash-ms', label: `open() after SIGKILL with ${formatBytes(logBytes)} of log to replay`, unit: 'ms', stores: MERKLE, target: { kind: 'at most', value: 2000 } },
    { id: 'open-crash-recovery-ms', label: 'the same: db.recovery.durationMs', unit: 'ms', stores: MERKLE }
  ]
}

function cell (value: number | undefined, unit: Unit): string {
  if (value === undefined) return 'n/a'
  if (unit === 'B') return formatBytes(value)
  if (unit === 'x') return value.toFixed(2)
  return formatValue(value, unit)
}

function targetText (target: Target | undefined): string {
  if (target === undefined) return ''
  if (target.kind === 'at most') return target.value >= GIB ? `≤ ${formatBytes(target.value)}` : `≤ ${formatAmount(target.value)} ms`
  return `${target.at === 'least' ? '≥' : '≤'} ${formatRatio(target.value)} classic`
}

function status (measured: number | undefined, target: Target | undefined): string {
  if (target === undefined) return ''
  if (measured === undefined || !Number.isFinite(measured)) return 'not measured'
  const bound = target.value
  const met = target.kind === 'ratio' && target.at === 'least' ? measured >= bound : measured <= bound
  return met ? 'met' : 'missed'
}

function table (results: LargeResults): string[] {
  const stores = STORES.filter(store => results.stores[store] !== undefined)
  const figure = (store: StoreName, id: string): number | undefined => results.stores[store]?.figures[id]
  const lines = [
    `| measurement | unit | ${stores.join(' | ')} | merkle/classic | target | |`,
    `|---|---|${stores.map(() => '---:|').join('')}---:|---|---|`
  ]
  for (const row of rows(results.logBytes)) {
    const values = stores.map(store => row.stores.includes(store) ? figure(store, row.id) : undefined)
    const classicId = row.target?.kind === 'ratio' ? row.target.classic : row.id
    const versusClassic = ratio(figure('merkle-level', row.id), figure('classic-level', classicId))
    const measured = row.target?.kind === 'ratio' ? versusClassic : figure('merkle-level', row.id)
    // Throughputs are better higher; times, amplification and memory lower.
    const unit = row.unit.endsWith('/s') ? row.unit : `${row.unit} (lower is better)`
    lines.push(`| ${[row.label, unit, ...values.map(v => cell(v, row.unit)), formatRatio(versusClassic), targetText(row.target), status(measured, row.target)].join(' | ')} |`)
  }
  return lines
}

/** The section, markers included. */
export function renderLarge (results: LargeResults): string {
  const problems = STORES.flatMap(store => {
    const outcome = results.stores[store]
    return outcome === undefined ? [] : [...outcome.failures, ...outcome.skipped].map(text => `- ${store}: ${text}`)
  })
  const lines = [
    LARGE_BEGIN,
    '## Large database',
    '',
    `Generated by \`${results.command}\` on ${results.date}: N = ${results.entries.toLocaleString('en-US')} entries ` +
      '(16-byte keys, 100-byte values from a seeded generator, the same for every store), one repetition, ' +
      'each store in processes of its own started with Node\'s default flags (default heap limit); all figures: `large.json`. ' +
      'The targets are those of issue 19, for merkle-level.' +
      (results.entries > 2_000_000 ? ' memory-level does not run above 2,000,000 entries.' : ''),
    '',
    ...machineLines(results.machine),
    '',
    ...table(results),
    ''
  ]
  if (problems.length > 0) lines.push('Failures:', '', ...problems, '')
  lines.push(
    'How each figure is made:',
    '',
    '- Load: N entries in batches of 1000, `sync: false`, into an empty database opened with the defaults (merkle-level checkpoints in the background at 64 MiB of log); ' +
      'the time is what `db.batch()` took, making the entries is not counted.',
    `- Write amplification: \`write_bytes\` − \`cancelled_write_bytes\` of /proc/self/io, read in the process before the load and after the close that follows it (the close finishes what the load left in memory), divided by N × ${ENTRY_BYTES} B; ` +
      'the second figure uses `wchar` (every byte passed to `write()`, page cache or not).',
    '- Peak resident memory: the largest of RSS sampled every 100 ms and VmHWM of /proc/self/status at the end, over the whole life of the process that loads, reopens, reads and iterates, and of the one that writes the batches (the larger of the two).',
    '- Open after close: `open()` in the same process right after `close()`. In a fresh process: the first open of the process that times the cold gets.',
    '- Warm gets: awaited `get` of random present keys, after the same number of gets of other random keys. ' +
      'Cold gets: the first gets of a fresh process right after `open()`; the OS page cache cannot be dropped without root, so the files are still in it: ' +
      '"cold" means the store\'s own caches and the process are cold, not the disk.',
    '- Full iteration: one pass of `nextv(1000)` with `keyEncoding` and `valueEncoding` `buffer`, after the warm gets.',
    `- Batches on the loaded database: in a process of its own after the cold gets (memory-level: in the loading process), up to ${LOADED_BATCHES} batches of 1000 new entries (30 s at most), ` +
      'then as many again with `await db.root()` after each (merkle-level only; its ratio is to classic-level\'s plain batches).',
    `- Open after a crash: after the batches, the database of N entries and those batches is checkpointed, then ${formatBytes(results.logBytes)} of entries (${ENTRY_BYTES} B each, framing not counted) written with checkpoints off, then the process is SIGKILLed; ` +
      'a new process times `open()`, which loads the snapshot and replays the log.',
    LARGE_END
  )
  return lines.join('\n')
}

/** The section of an earlier RESULTS.md, markers included; null when it has none. */
export function keptLarge (previous: string | null): string | null {
  return keptSection(previous, 'large')
}

/** `previous` (null: no file yet) with its section replaced by `section`, or `section` appended. */
export function spliceLarge (previous: string | null, section: string): string {
  return spliceSection(previous, 'large', section)
}
