/**
 * Child process of the SIGKILL torture (sigkill.test.ts): opens the database
 * in argv[2], first verifies what it recovered against the intent log in
 * argv[3] (test/util/crash/kill-log.ts), then runs a random workload seeded by
 * argv[4] — single and concurrent batches of every kind, synced and not,
 * checkpoints awaited and in the background, an occasional close and reopen
 * (verified again) — logging "I k" before and "A k" after every batch with
 * synchronous appends. The parent kills it at a random moment, or
 * MERKLE_KILL_AT="<point>:<n>:<before|after>" makes it SIGKILL itself at the
 * n-th file-system call of a named protocol step (test/util/kill-point-file-system.ts).
 */
import { openSync, readFileSync, writeSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { withKillPoint } from '../util/kill-point-file-system'
import type { KillPointCall } from '../util/kill-point-file-system'
import type { FileSystem } from '../../lib/fs/file-system'
import { randomInt, seededRandom } from '../util/sim/prng'
import { boundsOf, verifyAgainst, writeBatch } from '../util/crash/kill-log'

const SEGMENT = /wal-\d+\.log$/
const SEGMENT_TEMP = /wal-\d+\.log\.tmp-/
const SNAPSHOT = /snapshot-\d+\.mls$/
const SNAPSHOT_TEMP = /\.mls\.tmp-/

/** The named kill points: protocol steps, by the file-system call that carries them. */
export const KILL_POINTS: Record<string, (c: KillPointCall) => boolean> = {
  'wal-append': c => c.op === 'write' && SEGMENT.test(c.path) && (c.offset ?? 0) > 0,
  'wal-sync': c => c.op === 'sync' && SEGMENT.test(c.path),
  'dir-sync': c => c.op === 'syncDirectory',
  'snapshot-write': c => c.op === 'write' && SNAPSHOT_TEMP.test(c.path),
  'snapshot-sync': c => c.op === 'sync' && SNAPSHOT_TEMP.test(c.path),
  'snapshot-rename': c => c.op === 'rename' && SNAPSHOT.test(c.to ?? ''),
  'wal-retire': c => c.op === 'unlink' && SEGMENT.test(c.path),
  cleanup: c => c.op === 'unlink' && c.path.includes('.tmp-'),
  'tail-truncate': c => c.op === 'truncate' && SEGMENT.test(c.path),
  'segment-rewrite': c => (c.op === 'write' || c.op === 'rename') && SEGMENT_TEMP.test(c.path)
}

async function main (): Promise<void> {
  const [directory, logPath, seedText] = process.argv.slice(2)
  const log = openSync(logPath, 'a')
  const note = (line: string): void => { writeSync(log, line + '\n') }
  const random = seededRandom(Number(seedText))
  let fs: FileSystem = nodeFileSystem
  const spec = process.env.MERKLE_KILL_AT
  if (spec !== undefined && spec !== '') {
    const [point, nth, when] = spec.split(':')
    const matches = KILL_POINTS[point]
    if (matches === undefined) throw new Error(`unknown kill point ${point}`)
    fs = withKillPoint(nodeFileSystem, { matches, nth: Number(nth), when: when === 'after' ? 'after' : 'before', onPoint: () => process.kill(process.pid, 'SIGKILL') })
  }

  const openAndVerify = async (): Promise<MerkleLevel> => {
    const bounds = boundsOf(readFileSync(logPath, 'utf8'))
    const db = new MerkleLevel(directory, { fs, checkpointBytes: 8192 })
    await db.open()
    const problems = await verifyAgainst(db, bounds, directory)
    if (problems.length > 0) {
      note(`F ${problems.join('; ')}`)
      process.exit(1)
    }
    note(`V ${db.recovery?.seq ?? -1}`)
    return db
  }

  process.stdout.write('O\n')
  let db = await openAndVerify()
  let k = db.recovery?.seq ?? 0
  const steps = 40 + randomInt(random, 160)
  for (let step = 0; step < steps; step++) {
    const r = random()
    if (r < 0.02) {
      await db.close()
      note('C')
      db = await openAndVerify()
      continue
    }
    if (r < 0.05) {
      await db.checkpoint()
      continue
    }
    // A checkpoint running while writers go on.
    if (r < 0.07) void db.checkpoint().catch(err => { note(`F background checkpoint failed: ${String(err)}`) })
    const writers = r < 0.3 ? 2 + randomInt(random, 3) : 1
    const writes: Array<Promise<void>> = []
    for (let i = 0; i < writers; i++) {
      const batch = ++k
      note(`I ${batch}`)
      writes.push(writeBatch(db, batch, batch % 4 !== 3).then(() => note(`A ${batch}`)))
    }
    await Promise.all(writes)
  }
  await db.close()
  note('C')
}

main().catch(err => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`)
  process.exit(2)
})
