/**
 * `merkle-level import <dir> [file]`: entries from NDJSON (`{"key","value"}`
 * per line, as `export` writes them) into a database, created if missing.
 * Every batch is atomic; the import as a whole is not: on a bad line, the
 * batches before it stay and the line number is reported.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { openDatabase } from '../database'
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
      const input = file === undefined ? process.stdin : createReadStream(file)
      // Open the input first: a missing file must not leave a new empty database behind.
      await new Promise<void>((resolve, reject) => {
        if (file === undefined) return resolve()
        input.once('open', () => resolve()).once('error', reject)
      })
      // Batches are synced once, at the end: close() makes the whole import durable.
      const db = await openDatabase(dir, { create: true, sync: false })
      let count = 0
      let root: string
      try {
        await importLines(input, keys, values, batchSize, async batch => {
          await db.batch(batch)
          count += batch.length
        }).catch((err: Error) => {
          if (err instanceof UsageError) throw new UsageError(`${err.message} (the ${count} entries before it were imported)`)
          throw err
        })
        root = toHex(await db.root())
      } finally {
        await db.close()
      }
      outputTo().note(`imported ${count} entries; root ${root}`)
      done(ExitCode.ok)
    })
}

type Put = { type: 'put', key: Uint8Array, value: Uint8Array }

async function importLines (
  input: NodeJS.ReadableStream, keys: CliEncoding, values: CliEncoding, batchSize: number,
  write: (batch: Put[]) => Promise<void>
): Promise<void> {
  let batch: Put[] = []
  let lineNumber = 0
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber++
    if (line.trim() === '') continue
    batch.push(parseLine(line, lineNumber, keys, values))
    if (batch.length >= batchSize) {
      await write(batch)
      batch = []
    }
  }
  if (batch.length > 0) await write(batch)
}

function parseLine (line: string, n: number, keys: CliEncoding, values: CliEncoding): Put {
  let entry: unknown
  try {
    entry = JSON.parse(line)
  } catch {
    throw new UsageError(`line ${n}: not JSON`)
  }
  if (typeof entry !== 'object' || entry === null || !('key' in entry) || !('value' in entry)) {
    throw new UsageError(`line ${n}: expected {"key": …, "value": …}`)
  }
  const { key, value } = entry as { key: unknown, value: unknown }
  return { type: 'put', key: decodeBytes(key, keys, `line ${n}: the key`), value: decodeBytes(value, values, `line ${n}: the value`) }
}
