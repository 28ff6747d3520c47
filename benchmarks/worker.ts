/**
 * Worker process: runs one suite for one store and prints its figures as
 * one JSON line on stdout. The parent (run.ts) starts it with --expose-gc,
 * so that memory figures are read after a full collection, and gives it a
 * process of its own, so that no other store's memory is counted.
 */
import type { Job, JobResult } from './job'
import { suites } from './workloads'
import { scaling } from './workloads/scaling'

async function main (): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as Job
  const suite = job.suite === 'scaling' ? scaling : suites[job.suite]
  const figures = await suite({ subject: job.subject, plan: job.plan, dir: job.dir })
  const result: JobResult = { figures }
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
