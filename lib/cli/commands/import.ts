/**
 * `merkle-level import <dir> [file]`: entries from NDJSON (`{"key","value"}`
 * per line, as `export` writes them) into a database, created if missing.
 * Every batch is atomic; the import as a whole is not: on a bad line, the
 * batches before it stay and the line number is reported. Lines are bounded
 * (lines.ts).
 */
import { createReadStream } from 'node:fs'
import type { ReadStream } from 'node:fs'
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import type { MerkleLevel } from '../../../index'
import { openDatabase } from '../database'
import { boundedLines } from '../lines'
import { decodeBytes, parseEncoding } from '../encodings'
import type { CliEncoding } from '../encodings'
import { ExitCode, UsageError } from '../exit-codes'
import { outputTo } from '../output'

interface ImportFlags {
  encoding: string
  keyEncoding?: string
  valueEncoding?: string
  batchSize: string
}

/** Registers the command. */
export function registerImport (program: Command, done: (code: number) => void): void {
  program.command('import')
    .description('add entries from NDJSON ({"key","value"} per line; standard input when no file is given)')
    .argument('<dir>', 'database directory (created if missing)')
    .argument('[file]', 'NDJSON file')
    .option('-e, --encoding <encoding>', 'encoding of keys and values: base64, hex, utf8 or json', 'base64')
    .option('-k, --key-encoding <encoding>', 'encoding of keys (overrides --encoding)')
    .option('-v, --value-encoding <encoding>', 'encoding of values (overrides --encoding)')
    .option('--batch-size <n>', 'entries per atomic batch', '1000')
    .action(async (dir: string, file: string | undefined, flags: ImportFlags) => {
      const keys = parseEncoding(flags.keyEncoding ?? flags.encoding)
      const values = parseEncoding(flags.valueEncoding ?? flags.encoding)
      const batchSize = Number(flags.batchSize)
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch-size must be a positive whole number')
      const source = file ?? 'standard input'
      const input = file === undefined ? process.stdin : await openInput(file)
      // The database is opened when the first batch has been read whole: input that fails
      // before it leaves nothing behind, not even a new empty database.
      let db: MerkleLevel<Uint8Array, Uint8Array> | null = null
      const database = async (): Promise<MerkleLevel<Uint8Array, Uint8Array>> => {
        // Batches are synced once, at the end: close() makes the whole import durable.
        db ??= await openDatabase(dir, { create: true, sync: false })
        return db
      }
      let count = 0
      let root: string
      try {
        await importLines(readable(input, source), source, keys, values, batchSize, async batch => {
          await (await database()).batch(batch)
          count += batch.length
        }).catch((err: Error) => {
          if (err instanceof UsageError) throw new UsageError(`${err.message} (${count === 0 ? 'nothing was imported' : `the ${count} entries before it were imported`})`)
          throw err
        })
        root = toHex(await (await database()).root())
      } finally {
        // Every way out closes the database, so that no LOCK is left behind.
        if (db !== null) await (db as MerkleLevel<Uint8Array, Uint8Array>).close()
      }
      outputTo().note(`imported ${count} entries; root ${root}`)
      done(ExitCode.ok)
    })
}

type Put = { type: 'put', key: Uint8Array, value: Uint8Array }

// Opened up front, so that a missing or unreadable file is reported before anything else.
async function openInput (file: string): Promise<ReadStream> {
  const input = createReadStream(file, { highWaterMark: 1024 * 1024 })
  try {
    await new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject))
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`)
  }
  return input
}

// The input's chunks, with a read error (a directory given as the file, say) naming the source.
async function * readable (input: NodeJS.ReadableStream, source: string): AsyncGenerator<Buffer | string> {
  try {
    for await (const chunk of input) yield chunk
  } catch (err) {
    throw new UsageError(`cannot read ${source}: ${(err as Error).message}`)
  }
}

async function importLines (
  input: AsyncIterable<Buffer | string>, source: string, keys: CliEncoding, values: CliEncoding, batchSize: number,
  write: (batch: Put[]) => Promise<void>
): Promise<void> {
  let batch: Put[] = []
  for await (const line of boundedLines(input, source)) {
    if (line.text.trim() === '') continue
    batch.push(parseLine(line.text, `line ${line.number} of ${source}`, keys, values))
    if (batch.length >= batchSize) {
      await write(batch)
      batch = []
    }
  }
  if (batch.length > 0) await write(batch)
}

function parseLine (line: string, where: string, keys: CliEncoding, values: CliEncoding): Put {
  let entry: unknown
  try {
    entry = JSON.parse(line)
  } catch {
    throw new UsageError(`${where}: not JSON`)
  }
  if (typeof entry !== 'object' || entry === null || !('key' in entry) || !('value' in entry)) {
    throw new UsageError(`${where}: expected {"key": …, "value": …}`)
  }
  const { key, value } = entry as { key: unknown, value: unknown }
  return { type: 'put', key: decodeBytes(key, keys, `${where}: the key`), value: decodeBytes(value, values, `${where}: the value`) }
}
