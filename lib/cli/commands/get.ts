/**
 * `merkle-level get <dir> <key>`: one value; exit 1 when the key is absent.
 */
import type { Command } from 'commander'
import { viewForReading } from '../database'
import { encodeBytes, keyArgument, parseEncoding } from '../encodings'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'

/** Registers the command. */
export function registerGet (program: Command, done: (code: number) => void): void {
  program.command('get')
    .description('print the value of a key; exit 1 when it is absent')
    .argument('<dir>', 'database directory')
    .argument('<key>', 'the key, in the key encoding')
    .option('-k, --key-encoding <encoding>', 'utf8, hex, base64 or json', 'utf8')
    .option('-v, --value-encoding <encoding>', 'utf8, hex, base64 or json', 'utf8')
    .action(async (dir: string, key: string, options: { keyEncoding: string, valueEncoding: string }) => {
      const keyBytes = keyArgument(key, parseEncoding(options.keyEncoding))
      const valueEncoding = parseEncoding(options.valueEncoding)
      const { plan } = await viewForReading(dir)
      const value = plan.tree.get(keyBytes)
      const out = outputTo()
      if (value === undefined) {
        out.note('not found')
        return done(ExitCode.no)
      }
      const shown = encodeBytes(value, valueEncoding, 'The value')
      await out.line(typeof shown === 'string' ? shown : JSON.stringify(shown))
      done(ExitCode.ok)
    })
}
