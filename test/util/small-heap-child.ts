/**
 * Run by test/store/small-heap.test.ts in a child process with a small heap:
 * loads `count` entries of `valueLength` bytes into the database at the
 * given location in batches, closes, reopens, reads every tenth key back and
 * walks every entry, then prints one JSON line with what it saw.
 */
import { MerkleLevel } from '../../index'

const [location, countArg, valueArg] = process.argv.slice(2)
const count = Number(countArg)
const valueLength = Number(valueArg)
const options = { keyEncoding: 'buffer', valueEncoding: 'buffer', cacheBytes: 4 * 1024 * 1024, checkpointBytes: 2 * 1024 * 1024 } as const

function key (i: number): Buffer {
  return Buffer.from(`key-${String(i).padStart(10, '0')}`)
}

function value (i: number): Buffer {
  return Buffer.alloc(valueLength, i % 251)
}

async function main (): Promise<void> {
  let db = new MerkleLevel<Buffer, Buffer>(location, options)
  await db.open()
  for (let start = 0; start < count; start += 1000) {
    const ops = []
    for (let i = start; i < Math.min(count, start + 1000); i++) ops.push({ type: 'put' as const, key: key(i), value: value(i) })
    await db.batch(ops, { sync: false })
  }
  const root = Buffer.from(await db.root()).toString('hex')
  await db.close()

  db = new MerkleLevel<Buffer, Buffer>(location, options)
  await db.open()
  let wrong = 0
  for (let i = 0; i < count; i += 10) {
    const got = await db.get(key(i))
    if (got === undefined || !got.equals(value(i))) wrong++
  }
  let walked = 0
  let outOfOrder = 0
  let previous: Buffer | null = null
  for await (const k of db.keys()) {
    if (previous !== null && Buffer.compare(previous, k) >= 0) outOfOrder++
    previous = k
    walked++
  }
  const reopenedRoot = Buffer.from(await db.root()).toString('hex')
  const heapLimit = (await import('node:v8')).getHeapStatistics().heap_size_limit
  await db.close()
  process.stdout.write(JSON.stringify({ root, reopenedRoot, wrong, walked, outOfOrder, heapLimit }) + '\n')
}

main().catch(err => {
  process.stderr.write(`${String(err?.stack ?? err)}\n`)
  process.exit(1)
})
