/**
 * `merkle-level checkpoint <dir>`: write a snapshot now and retire the log it
 * covers. Takes the lock: refused (exit 3) while another process has the
 * database open.
 */
import type { Command } from 'commander'
import { openDatabase } from '../database'
import { ExitCode } from '../exit-codes'
import { formatBytes } from '../../format-bytes'
import { outputTo } from '../output'

/** Registers the command. */
export function registerCheckpoint (program: Command, done: (code: number) => void): void {
  program.command('checkpoint')
    .description('write a snapshot of the current state now and remove the log it covers')
    .argument('<dir>', 'database directory')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const db = await openDatabase(dir)
      try {
        const result = await db.checkpoint()
        const out = outputTo()
        if (options.json === true) await out.json(result)
        else if (result.file === null) await out.line(`nothing new since the snapshot at sequence ${result.seq}`)
        else await out.line(`wrote ${result.file} (sequence ${result.seq}, ${result.entries} entries, ${formatBytes(result.bytes)}); removed ${result.removed.length} file${result.removed.length === 1 ? '' : 's'}`)
      } finally {
        await db.close()
      }
      done(ExitCode.ok)
    })
}
