/**
 * Batches of 1000 puts with `{ sync: false }`, through MerkleLevel's batch()
 * as built, or with lib/level/batch-options.ts's replacement removed
 * (`--plain`): the cost of abstract-level's copy of the options into every
 * operation. One JSON line: the CPU time and the wall time per batch.
 *
 *     node dist/benchmarks/batch-options.js [--plain] [batches]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel } from '../index'

async function main (): Promise<void> {
  const plain = process.argv.includes('--plain')
  const batches = Number(process.argv.slice(2).find(a => !a.startsWith('--')) ?? 300)
  if (plain) Reflect.deleteProperty(MerkleLevel.prototype, 'batch')
  const dir = mkdtempSync(join(tmpdir(), 'batch-options-'))
  const db = new MerkleLevel<string, string>(join(dir, 'db'), { checkpointBytes: 0 })
  await db.open()
  const value = 'v'.repeat(100)
  const run = async (from: number, to: number): Promise<void> => {
    for (let b = from; b < to; b++) {
      const ops = Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: `k${String(b * 1000 + i).padStart(9, '0')}`, value }))
      await db.batch(ops, { sync: false })
    }
  }
  await run(0, 20) // warm-up
  const cpu = process.cpuUsage()
  const started = performance.now()
  await run(20, 20 + batches)
  const wall = performance.now() - started
  const used = process.cpuUsage(cpu)
  await db.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({
    build: plain ? 'abstract-level batch()' : 'with batch-options.ts',
    batches,
    cpuMsPerBatch: +((used.user + used.system) / 1000 / batches).toFixed(3),
    wallMsPerBatch: +(wall / batches).toFixed(3)
  }))
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
