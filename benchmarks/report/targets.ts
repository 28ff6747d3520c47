/**
 * The targets of issue 5, evaluated on one run: each compares a measured
 * quantity (mostly a ratio between two figures of the same run) with its
 * bound and says met or missed; "not measured" when the run lacks a figure
 * (a suite left out with --only, or a feature absent).
 */
import { KEY_BYTES, VALUE_BYTES } from '../data'
import { medianOf } from '../results'
import type { RunResults } from '../results'
import { formatAmount, formatRatio, ratio } from './format'

/** One line of the targets table. */
export interface TargetOutcome {
  target: string
  required: string
  measured: string
  status: 'met' | 'missed' | 'not measured'
}

interface Target {
  target: string
  /** The quantity compared with the bound. */
  measure: (results: RunResults) => number | undefined
  bound: number
  /** 'atLeast': measured >= bound; 'atMost': measured <= bound. */
  kind: 'atLeast' | 'atMost'
  /** How the quantity reads: a ratio ("1.85x") or milliseconds. */
  shown: 'ratio' | 'ms'
}

const M = 'merkle-level'
const C = 'classic-level'
const MEM = 'memory-level'
const RAW_ENTRY_BYTES = KEY_BYTES + VALUE_BYTES

const versus = (id: string, subject: typeof C | typeof MEM) => (r: RunResults) => ratio(medianOf(r, M, id), medianOf(r, subject, id))

function readTargets (id: string, name: string): Target[] {
  return [
    { target: `${name} ≥ memory-level`, measure: versus(id, MEM), bound: 1, kind: 'atLeast', shown: 'ratio' },
    { target: `${name} ≥ 2x classic-level`, measure: versus(id, C), bound: 2, kind: 'atLeast', shown: 'ratio' }
  ]
}

const TARGETS: readonly Target[] = [
  ...readTargets('get', 'get'),
  ...readTargets('get-many', 'getMany of 100'),
  ...readTargets('iterate-all', 'full iteration'),
  ...readTargets('iterate-range', 'range iteration of 100'),
  { target: 'batches of 1000, sync: false ≥ classic-level', measure: versus('batch', C), bound: 1, kind: 'atLeast', shown: 'ratio' },
  {
    target: 'batches with root() after each ≥ ½ classic-level\'s batches',
    measure: r => ratio(medianOf(r, M, 'batch-root'), medianOf(r, C, 'batch')),
    bound: 0.5,
    kind: 'atLeast',
    shown: 'ratio'
  },
  {
    target: 'sequential synced put ≥ 80% of 1 / fdatasync latency',
    measure: r => ratio(medianOf(r, M, 'put-sync'), medianOf(r, 'disk', 'fsync-bound')),
    bound: 0.8,
    kind: 'atLeast',
    shown: 'ratio'
  },
  {
    target: '64 concurrent synced puts ≥ 5x sequential synced puts',
    measure: r => ratio(medianOf(r, M, 'put-sync-64'), medianOf(r, M, 'put-sync')),
    bound: 5,
    kind: 'atLeast',
    shown: 'ratio'
  },
  { target: '64 concurrent synced puts ≥ classic-level', measure: versus('put-sync-64', C), bound: 1, kind: 'atLeast', shown: 'ratio' },
  { target: 'open + root verification of N entries < 2 s', measure: r => medianOf(r, M, 'open-ms'), bound: 2000, kind: 'atMost', shown: 'ms' },
  {
    target: 'open < 3x the time to read the snapshot file',
    measure: r => ratio(medianOf(r, M, 'open-ms'), medianOf(r, M, 'read-snapshot-ms')),
    bound: 3,
    kind: 'atMost',
    shown: 'ratio'
  },
  {
    target: 'resident memory per entry ≤ 1.5x memory-level\'s',
    measure: versus('rss-per-entry', MEM),
    bound: 1.5,
    kind: 'atMost',
    shown: 'ratio'
  },
  {
    target: `bytes on disk after a checkpoint ≤ 1.3x raw key + value (${RAW_ENTRY_BYTES} B)`,
    measure: r => ratio(medianOf(r, M, 'disk-per-entry'), RAW_ENTRY_BYTES),
    bound: 1.3,
    kind: 'atMost',
    shown: 'ratio'
  },
  { target: 'checkpoint stalls a concurrent writer ≤ 50 ms', measure: r => medianOf(r, M, 'checkpoint-stall-ms'), bound: 50, kind: 'atMost', shown: 'ms' }
]

const show = (value: number, shown: Target['shown']): string => shown === 'ratio' ? formatRatio(value) : `${formatAmount(value)} ms`

/** Every target with its outcome in `results`. */
export function evaluateTargets (results: RunResults): TargetOutcome[] {
  return TARGETS.map(({ target, measure, bound, kind, shown }) => {
    const required = `${kind === 'atLeast' ? '≥' : '≤'} ${show(bound, shown)}`
    const value = measure(results)
    if (value === undefined) return { target, required, measured: '—', status: 'not measured' }
    const met = kind === 'atLeast' ? value >= bound : value <= bound
    return { target, required, measured: show(value, shown), status: met ? 'met' : 'missed' }
  })
}
