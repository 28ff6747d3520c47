/**
 * `merkle-level export <dir>`: every entry as NDJSON, lossless by default
 * (base64), to standard output or a file; the counterpart of `import`.
 * Read-only, so it can run beside a process that has the database open.
 */
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { viewForReading } from '../database'
import { encodeBytes, parseEncoding } from '../encodings'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'
import { newOutputFile } from '../output-file'
import { byteRange, entriesInRange, withRangeOptions } from '../range'
import type { RangeFlags } from '../range'

interface ExportFlags extends RangeFlags {
  output?: string
  encoding: string
  keyEncoding?: string
  valueEncoding?: string
}

/** Registers the command. */
export function registerExport (program: Command, done: (code: number) => void): void {
  const command = program.command('export')
    .description('write every entry as NDJSON ({"key","value"} per line, base64 by default) for import elsewhere')
    .argument('<dir>', 'database directory')
    .option('-o, --output <file>', 'write to this file (it must not exist; - for standard output); it appears only when complete')
    .option('-e, --encoding <encoding>', 'encoding of keys and values: base64, hex, utf8 or json', 'base64')
    .option('-k, --key-encoding <encoding>', 'encoding of keys (overrides --encoding)')
    .option('-v, --value-encoding <encoding>', 'encoding of values (overrides --encoding)')
  withRangeOptions(command).action(async (dir: string, flags: ExportFlags) => {
    const keys = parseEncoding(flags.keyEncoding ?? flags.encoding)
    const values = parseEncoding(flags.valueEncoding ?? flags.encoding)
    byteRange(flags, keys) // bad range options are reported before the database is read
    const { plan } = await viewForReading(dir)
    const toFile = flags.output !== undefined && flags.output !== '-'
    const file = toFile ? await newOutputFile(flags.output as string) : null
    const out = file ?? outputTo()
    let n = 0
    try {
      for (const [key, value] of entriesInRange(plan.tree, flags, keys)) {
        await out.json({ key: encodeBytes(key, keys, `Key ${n} of ${dir}`), value: encodeBytes(value, values, `Value ${n} of ${dir}`) })
        n++
      }
      await file?.commit()
    } catch (err) {
      file?.abandon()
      throw err
    }
    out.note(`exported ${n} entries from the database at sequence ${plan.seq} (root ${toHex(await plan.tree.rootAsync())})`)
    done(ExitCode.ok)
  })
}
