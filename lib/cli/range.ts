/**
 * Range options of the commands that list entries (`--gt`, `--gte`, `--lt`,
 * `--lte`, `--limit`, `--reverse`), with the meaning they have in Level.
 */
import type { Command } from 'commander'
import { compareBytes } from '../bytes'
import type { Tree } from '../tree/tree'
import { keyArgument } from './encodings'
import type { CliEncoding } from './encodings'
import { UsageError } from './exit-codes'

/** The range options as commander parses them. */
export interface RangeFlags {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  limit?: string
  reverse?: boolean
}

/** Adds the range options to a command. */
export function withRangeOptions (command: Command): Command {
  return command
    .option('--gt <key>', 'only keys greater than this')
    .option('--gte <key>', 'only keys greater than or equal to this')
    .option('--lt <key>', 'only keys less than this')
    .option('--lte <key>', 'only keys less than or equal to this')
    .option('--limit <n>', 'at most this many entries')
    .option('--reverse', 'in descending key order')
}

/** A range with its bounds as bytes; `limit` absent for none. */
export interface ByteRange {
  gt?: Uint8Array
  gte?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  limit?: number
  reverse: boolean
}

/** The range the flags describe, bounds read as keys in `encoding`. */
export function byteRange (flags: RangeFlags, encoding: CliEncoding): ByteRange {
  if ((flags.gt !== undefined && flags.gte !== undefined) || (flags.lt !== undefined && flags.lte !== undefined)) {
    throw new UsageError('give at most one lower bound (--gt, --gte) and one upper bound (--lt, --lte)')
  }
  const range: ByteRange = { reverse: flags.reverse === true }
  for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
    const text = flags[name]
    if (text !== undefined) range[name] = keyArgument(text, encoding)
  }
  if (flags.limit !== undefined) {
    const limit = Number(flags.limit)
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit must be a whole number')
    range.limit = limit
  }
  return range
}

/** True when any range flag is set. */
export function hasRangeFlags (flags: RangeFlags): boolean {
  return [flags.gt, flags.gte, flags.lt, flags.lte, flags.limit, flags.reverse].some(f => f !== undefined)
}

interface Bound { key: Uint8Array, inclusive: boolean }

/** The entries of `tree` in the range, in order. Bounds are keys in `encoding`. */
export function * entriesInRange (tree: Tree, flags: RangeFlags, encoding: CliEncoding): Generator<[Uint8Array, Uint8Array]> {
  const range = byteRange(flags, encoding)
  const bound = (key: Uint8Array | undefined, inclusive: boolean): Bound | undefined => key === undefined ? undefined : { key, inclusive }
  const lower = bound(range.gt, false) ?? bound(range.gte, true)
  const upper = bound(range.lt, false) ?? bound(range.lte, true)
  const limit = range.limit ?? Infinity
  const reverse = range.reverse
  const [start, end] = reverse ? [upper, lower] : [lower, upper]
  const cursor = tree.cursor(reverse)
  if (start === undefined) cursor.first()
  else cursor.seek(start.key, start.inclusive)
  let count = 0
  for (let node = cursor.current; node !== null && count < limit; cursor.advance(), node = cursor.current) {
    if (end !== undefined) {
      const c = compareBytes(node.key, end.key) * (reverse ? -1 : 1)
      if (c > 0 || (c === 0 && !end.inclusive)) return
    }
    yield [node.key, node.value]
    count++
  }
}
