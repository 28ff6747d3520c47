/**
 * `merkle-level dump <dir>`: entries as NDJSON, one `{"key","value"}` per
 * line; `dump --wal <dir>`: every WAL record as JSON, for people.
 */
import type { Command } from 'commander'
import { nodeFileSystem } from '../../fs/node-file-system'
import { levelError } from '../../errors'
import { holdsDatabase, locationState } from '../../store/inspect'
import { listLog } from '../../store/log-listing'
import type { LogItem } from '../../store/log-listing'
import type { WriteOp } from '../../store/batch-record'
import { toHex } from '../../bytes'
import { readingDatabase, viewForReading } from '../database'
import { encodeBytes, parseEncoding } from '../encodings'
import type { CliEncoding } from '../encodings'
import { ExitCode, UsageError } from '../exit-codes'
import { outputTo } from '../output'
import type { Output } from '../output'
import { byteRange, entriesInRange, hasRangeFlags, withRangeOptions } from '../range'
import type { RangeFlags } from '../range'

interface DumpFlags extends RangeFlags {
  wal?: boolean
  keyEncoding: string
  valueEncoding: string
}

/** Registers the command. */
export function registerDump (program: Command, done: (code: number) => void): void {
  const command = program.command('dump')
    .description('print the entries as NDJSON ({"key","value"} per line), or with --wal every WAL record as JSON')
    .argument('<dir>', 'database directory')
    .option('--wal', 'list the write-ahead log instead: segment headers, batch records, damage')
    .option('-k, --key-encoding <encoding>', 'utf8, hex, base64 or json', 'utf8')
    .option('-v, --value-encoding <encoding>', 'utf8, hex, base64 or json', 'utf8')
  withRangeOptions(command).action(async (dir: string, flags: DumpFlags) => {
    const keys = parseEncoding(flags.keyEncoding)
    const values = parseEncoding(flags.valueEncoding)
    const out = outputTo()
    if (flags.wal === true) {
      if (hasRangeFlags(flags)) {
        throw new UsageError('--wal lists the whole log: range options do not apply')
      }
      return done(await readingDatabase(dir, async () => await dumpLog(dir, keys, values, out)))
    }
    byteRange(flags, keys) // bad range options are reported before the database is read
    const { plan } = await viewForReading(dir)
    let n = 0
    for (const [key, value] of entriesInRange(plan.tree, flags, keys)) {
      await out.json({ key: encodeBytes(key, keys, `Key ${n} of ${dir}`), value: encodeBytes(value, values, `Value ${n} of ${dir}`) })
      n++
    }
    done(ExitCode.ok)
  })
}

async function dumpLog (dir: string, keys: CliEncoding, values: CliEncoding, out: Output): Promise<number> {
  const where = await locationState(nodeFileSystem, dir)
  if (where.state !== 'directory') throw levelError(where.problem, 'LEVEL_DATABASE_NOT_OPEN')
  if (!(await holdsDatabase(nodeFileSystem, dir))) throw levelError(`No database in ${dir} (no log segment and no snapshot)`, 'LEVEL_DATABASE_NOT_OPEN')
  let damaged = false
  for await (const item of listLog(nodeFileSystem, dir)) {
    if (item.kind === 'damage') damaged = true
    await out.json(showItem(item, keys, values))
  }
  // Damage is shown, not judged (a torn tail is normal): verify says whether it is a problem.
  if (damaged) out.note('the log has damage; run `merkle-level verify` to see what it means')
  return ExitCode.ok
}

function showItem (item: LogItem, keys: CliEncoding, values: CliEncoding): object {
  if (item.kind === 'segment') {
    const { database, ...rest } = item
    return { ...rest, database: database === null ? null : toHex(database) }
  }
  if (item.kind === 'damage') return item
  return { kind: 'record', file: item.file, offset: item.offset, seq: item.seq, ops: item.ops.map(op => showOp(op, keys, values, item.seq)) }
}

function showOp (op: WriteOp, keys: CliEncoding, values: CliEncoding, seq: number): object {
  const key = (bytes: Uint8Array): unknown => encodeBytes(bytes, keys, `A key in record ${seq}`)
  if (op.type === 'put') return { type: 'put', key: key(op.key), value: encodeBytes(op.value, values, `A value in record ${seq}`) }
  if (op.type === 'del') return { type: 'del', key: key(op.key) }
  const range: Record<string, unknown> = {}
  for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
    const bound = op.range[name]
    if (bound !== undefined) range[name] = key(bound)
  }
  if (op.range.limit !== undefined) range.limit = op.range.limit
  if (op.range.reverse === true) range.reverse = true
  return { type: 'clear', range }
}
