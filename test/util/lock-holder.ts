/**
 * Child process for lock tests: opens the database given as argv[2], prints
 * "open" (or the error code of its cause), then waits until killed.
 */
import { MerkleLevel } from '../../index'

const db = new MerkleLevel(process.argv[2])
db.open().then(() => {
  process.stdout.write('open\n')
  setInterval(() => {}, 1000)
}, (err: { cause?: { code?: string } }) => {
  process.stdout.write(`error ${err.cause?.code ?? 'unknown'}\n`)
  process.exit(0)
})
