/**
 * `merkle-level verify <dir>`: the full offline integrity check
 * (lib/store/integrity.ts). It changes nothing, whatever it finds.
 */
import type { Command } from 'commander'
import { nodeFileSystem } from '../../fs/node-file-system'
import { checkIntegrity } from '../../store/integrity'
import type { IntegrityReport } from '../../store/integrity'
import { readingDatabase } from '../database'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'
import { progressBar } from '../progress'

/** Registers the command. */
export function registerVerify (program: Command, done: (code: number) => void): void {
  program.command('verify')
    .description('check every checksum, replay the log, recompute every hash and compare the root; exit 1 on any problem')
    .argument('<dir>', 'database directory')
    .option('--json', 'print the report as one JSON object')
    .option('-q, --quiet', 'no progress bar')
    .action(async (dir: string, options: { json?: boolean, quiet?: boolean }) => {
      const bar = progressBar(options.quiet === true || options.json === true)
      let report: IntegrityReport
      try {
        report = await readingDatabase(dir, async () => await checkIntegrity(nodeFileSystem, dir, (phase, n, total) => {
          bar.update(phase === 'read' ? 'reading  ' : 'rehashing', n, total)
        }))
      } finally {
        bar.stop()
      }
      const out = outputTo()
      if (options.json === true) {
        await out.json(report)
      } else {
        for (const p of report.problems) await out.line(`problem: ${p}`)
        for (const n of report.notes) await out.line(`note: ${n}`)
        if (report.state !== null) {
          const { seq, entries, root, recoverable } = report.state
          const how = recoverable === 'open' ? 'open() recovers' : 'repair would recover'
          await out.line(`${how} sequence ${seq}, ${entries} entries, root ${root}`)
          await out.line(`${report.entriesRehashed} entries rehashed from scratch`)
        }
        await out.line(report.ok ? 'ok: no problems found' : `FAILED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`)
      }
      done(report.ok ? ExitCode.ok : ExitCode.no)
    })
}
