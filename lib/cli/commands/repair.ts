/**
 * `merkle-level repair <dir>`: recover what can be recovered from a damaged
 * database. Explicit and loud: without --yes it only says what it would keep
 * and what it would give up (exit 1 when there is something to do). With
 * --yes it opens the database in 'pointInTime' recovery mode, which keeps the
 * longest valid prefix of the history and renames every file it gives up on
 * aside (`*.discarded-<time>`, `*.corrupt-<time>`), copying a log segment
 * aside before truncating it, then says again what was kept and given up.
 * Nothing is deleted.
 */
import type { Command } from 'commander'
import { nodeFileSystem } from '../../fs/node-file-system'
import { checkIntegrity } from '../../store/integrity'
import type { GivenUp } from '../../store/integrity'
import { openDatabase, readingDatabase } from '../database'
import { ExitCode } from '../exit-codes'
import { outputTo } from '../output'
import type { Output } from '../output'

/** Registers the command. */
export function registerRepair (program: Command, done: (code: number) => void): void {
  program.command('repair')
    .description('recover the longest valid history of a damaged database, setting damaged files aside (needs --yes)')
    .argument('<dir>', 'database directory')
    .option('-y, --yes', 'do it (without this, only show what would be done)')
    .option('--json', 'print one JSON object: problems, what is kept, what is given up, what was done')
    .action(async (dir: string, options: { yes?: boolean, json?: boolean }) => {
      done(await repair(dir, options.yes === true, options.json === true, outputTo()))
    })
}

async function repair (dir: string, yes: boolean, json: boolean, out: Output): Promise<number> {
  const report = await readingDatabase(dir, async () => await checkIntegrity(nodeFileSystem, dir))
  const { problems, state } = report
  if (report.ok || state === null) {
    if (json) await out.json({ problems, keeps: null, givesUp: null, repaired: false })
    else if (report.ok) await out.line('no damage found: nothing to repair')
    else {
      for (const p of problems) await out.line(`problem: ${p}`)
      await out.line('repair cannot recover this database; its files are left as they are')
    }
    return report.ok ? ExitCode.ok : ExitCode.damaged
  }
  const keeps = { seq: state.seq, entries: state.entries, root: state.root }
  if (!json) {
    for (const p of problems) await out.line(`problem: ${p}`)
    for (const line of describe(keeps, state.givenUp, 'keeps', 'gives up')) await out.line(`repair ${line}`)
    for (const f of state.givenUp.filesSetAside) await out.line(`sets aside: ${f.name} (${f.why})`)
    if (state.givenUp.cut !== null) await out.line(`cuts ${state.givenUp.cut.bytes} bytes from ${state.givenUp.cut.name}, after copying it aside`)
  }
  if (!yes) {
    if (json) await out.json({ problems, keeps, givesUp: state.givenUp, repaired: false })
    else await out.line('nothing was changed: run again with --yes to repair')
    return ExitCode.no
  }
  const db = await openDatabase(dir, { recovery: 'pointInTime' })
  let kept: typeof keeps
  let setAside: string[]
  let bytesCut: number
  try {
    const r = db.recovery
    // open() has just recovered, so the report is there.
    if (r === null) throw new Error(`Database ${dir} opened without a recovery report`)
    kept = { seq: r.seq, entries: r.entries, root: r.root }
    setAside = r.filesSetAside
    bytesCut = r.bytesTruncated
  } finally {
    await db.close()
  }
  // What was done is judged against what the files recorded before, as counted above.
  const gaveUp: GivenUp = { ...state.givenUp, batches: state.givenUp.lastSeq - kept.seq }
  if (json) {
    await out.json({ problems, keeps: kept, givesUp: gaveUp, repaired: true, setAside, bytesCut })
  } else {
    for (const f of setAside) await out.line(`set aside: ${f}`)
    if (bytesCut > 0) await out.line(`cut ${bytesCut} bytes from the log`)
    for (const line of describe(kept, gaveUp, 'kept', 'gave up')) await out.line(line)
    await out.line(`REPAIRED: sequence ${kept.seq}, ${kept.entries} entries, root ${kept.root}`)
  }
  return ExitCode.ok
}

// Two phrases: what is kept, and what is given up (batches, entries, files).
function describe (keeps: { seq: number, entries: number, root: string }, lost: GivenUp, kept: string, gaveUp: string): string[] {
  const count = `${lost.batches} batch${lost.batches === 1 ? '' : 'es'}`
  const batches = lost.batches === 0
    ? 'no batch'
    : lost.atLeast
      ? `at least ${count} (from sequence ${keeps.seq + 1}; the damage hides how far the log went)`
      : `${count} (sequence ${keeps.seq + 1} to ${lost.lastSeq})`
  const entries = lost.entriesBefore === null
    ? 'the damage hides how many entries the newest state had'
    : `entries ${lost.entriesBefore} before, ${keeps.entries} after`
  const files = lost.filesSetAside.length
  return [
    `${kept} the history up to sequence ${keeps.seq}: ${keeps.entries} entries, root ${keeps.root}`,
    `${gaveUp} ${batches}; ${entries}; ${files} file${files === 1 ? '' : 's'} set aside`
  ]
}
