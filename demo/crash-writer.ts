/**
 * The demo's crash victim: opens the database given as its argument and
 * commits synced batches one after another, printing "ack <n>" after batch n
 * resolved (that is, after its log record was fsynced). Each batch writes
 * entry crash:<n> and moves the counter crash:last to n, atomically. It runs
 * until the demo kills it with SIGKILL.
 */
import { MerkleLevel } from '../index'

async function main (): Promise<void> {
  const location = process.argv[2]
  const db = new MerkleLevel(location, { sync: true })
  await db.open()
  process.stdout.write('ready\n')
  for (let n = 1; ; n++) {
    const id = String(n).padStart(6, '0')
    await db.batch([
      { type: 'put', key: `crash:${id}`, value: `batch ${n}` },
      { type: 'put', key: 'crash:last', value: String(n) }
    ])
    process.stdout.write(`ack ${n}\n`)
  }
}

main().catch(err => {
  process.stderr.write(`crash-writer: ${String(err)}\n`)
  process.exit(1)
})
