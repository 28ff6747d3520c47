/**
 * The primary of the replica SIGKILL test (sigkill.test.ts): opens the
 * database in argv[2] (recovering whatever a kill left), serves it on
 * 127.0.0.1 at the port argv[3] (0: any; printed as "L <port> <seq> <root>"),
 * and, when argv[6] is 'write', goes on writing the history seeded by argv[4]
 * (test/util/replica-history.ts) from the batch after the one it recovered,
 * appending "R <seq> <root>" to the file argv[5] after each batch, until
 * killed. A checkpoint every second or two makes a replica that was down
 * for a while, or took long to copy, lose its position in the feed (a feed
 * older than the last checkpoint has no proofs): then it is copied in full.
 */
import { openSync, writeSync } from 'node:fs'
import { MerkleLevel, startReplicationServer } from '../../index'
import { toHex } from '../../lib/bytes'
import { applyWrite, historyWrite } from '../util/replica-history'

async function main (): Promise<void> {
  const [directory, portText, seedText, rootLog, mode] = process.argv.slice(2)
  const db = new MerkleLevel(directory, { checkpointBytes: 8192 })
  await db.open()
  let seq = db.recovery?.seq ?? 0
  const serving = await startReplicationServer(db, { port: Number(portText), maxRangeEntries: 20, maxChanges: 5 })
  process.stdout.write(`L ${new URL(serving.url).port} ${seq} ${toHex(await db.root())}\n`)
  if (mode !== 'write') return
  const log = openSync(rootLog, 'a')
  for (;;) {
    await applyWrite(db, historyWrite(Number(seedText), ++seq))
    writeSync(log, `R ${seq} ${toHex(await db.root())}\n`)
    // About 35 batches a second: room on two shared cores for the follower and the test.
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

main().catch(err => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`)
  process.exit(2)
})
