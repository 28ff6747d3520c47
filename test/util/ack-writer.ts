/**
 * Child process for kill tests: opens the database given as argv[2] and
 * commits synced batches forever. Before each batch i it prints "issued i",
 * after its write resolved "ack i". Batch i puts `i/a` and `i/b` and moves the
 * `last` key to i, so a partially applied batch would be visible.
 */
import { MerkleLevel } from '../../index'

async function main (): Promise<void> {
  const db = new MerkleLevel(process.argv[2], { checkpointBytes: Number(process.argv[3] ?? 4096) })
  await db.open()
  const start = Number((await db.get('last')) ?? 0) + 1
  for (let i = start; ; i++) {
    process.stdout.write(`issued ${i}\n`)
    await db.batch([
      { type: 'put', key: `${i}/a`, value: 'x'.repeat(i % 50) },
      { type: 'put', key: `${i}/b`, value: String(i) },
      { type: 'put', key: 'last', value: String(i) }
    ])
    process.stdout.write(`ack ${i}\n`)
  }
}

void main()
