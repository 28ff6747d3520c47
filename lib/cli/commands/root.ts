/**
 * `merkle-level root <dir>`: the Merkle root of the current state.
 */
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { viewForReading } from '../database'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'

/** Registers the command. */
export function registerRoot (program: Command, done: (code: number) => void): void {
  program.command('root')
    .description('print the Merkle root of the current state (hexadecimal)')
    .argument('<dir>', 'database directory')
    .option('--json', 'print {"root", "seq", "entries"}')
    .action(async (dir: string, options: { json?: boolean }) => {
      const { plan } = await viewForReading(dir)
      const root = toHex(await plan.tree.rootAsync())
      const out = outputTo()
      if (options.json === true) await out.json({ root, seq: plan.seq, entries: plan.tree.size })
      else await out.line(root)
      done(ExitCode.ok)
    })
}
