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

interface Bound { key: Uint8Array, inclusive: boolean }

/** The entries of `tree` in the range, in order. Bounds are keys in `encoding`. */
export function * entriesInRange (tree: Tree, flags: RangeFlags, encoding: CliEncoding): Generator<[Uint8Array, Uint8Array]> {
  const bound = (text: string | undefined, inclusive: boolean): Bound | undefined =>
    text === undefined ? undefined : { key: keyArgument(text, encoding), inclusive }
  const lower = bound(flags.gt, false) ?? bound(flags.gte, true)
  const upper = bound(flags.lt, false) ?? bound(flags.lte, true)
  const limit = flags.limit === undefined ? Infinity : Number(flags.limit)
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) throw new UsageError('--limit must be a whole number')
  const reverse = flags.reverse === true
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
