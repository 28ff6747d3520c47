/**
 * `merkle-level repair <dir>`: recover what can be recovered from a damaged
 * database. Explicit and loud: without --yes it only says what it would do
 * (exit 1 when there is something to do). With --yes it opens the database in
 * 'pointInTime' recovery mode, which keeps the longest valid prefix of the
 * history and renames every file it gives up on aside (`*.discarded-<time>`,
 * `*.corrupt-<time>`), copying a log segment aside before truncating it.
 * Nothing is deleted.
 */
import type { Command } from 'commander'
import { nodeFileSystem } from '../../fs/node-file-system'
import { checkIntegrity } from '../../store/integrity'
import { openDatabase } from '../database'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'

/** Registers the command. */
export function registerRepair (program: Command, done: (code: number) => void): void {
  program.command('repair')
    .description('recover the longest valid history of a damaged database, setting damaged files aside (needs --yes)')
    .argument('<dir>', 'database directory')
    .option('-y, --yes', 'do it (without this, only show what would be done)')
    .action(async (dir: string, options: { yes?: boolean }) => {
      const out = outputTo()
      const report = await checkIntegrity(nodeFileSystem, dir)
      if (report.ok) {
        await out.line('no damage found: nothing to repair')
        return done(ExitCode.ok)
      }
      for (const p of report.problems) await out.line(`problem: ${p}`)
      if (report.state === null) {
        await out.line('repair cannot recover this database; its files are left as they are')
        return done(ExitCode.damaged)
      }
      const { seq, entries, root } = report.state
      await out.line(`repair keeps the history up to sequence ${seq}: ${entries} entries, root ${root}`)
      await out.line('damaged files are renamed aside (nothing is deleted); a damaged log segment is copied aside before it is cut')
      if (options.yes !== true) {
        await out.line('nothing was changed: run again with --yes to repair')
        return done(ExitCode.no)
      }
      const db = await openDatabase(dir, { recovery: 'pointInTime' })
      try {
        const r = db.recovery
        if (r !== null) {
          for (const f of r.filesSetAside) await out.line(`set aside: ${f}`)
          if (r.bytesTruncated > 0) await out.line(`cut ${r.bytesTruncated} bytes from the log`)
          for (const f of r.filesRemoved) await out.line(`removed: ${f}`)
          await out.line(`REPAIRED: sequence ${r.seq}, ${r.entries} entries, root ${r.root}`)
        }
      } finally {
        await db.close()
      }
      done(ExitCode.ok)
    })
}
