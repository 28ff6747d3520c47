/**
 * Child process of the large run: `node worker.js <job as JSON>`, with
 * Node's default flags (its default heap limit is part of what is
 * measured). Reports on stdout as JSON lines (job.ts); an error thrown by
 * the store is reported with the phase and entry count, and the child
 * exits with code 1.
 */
import type { LargeJob } from './job'
import { Reporter, runLargeJob } from './phases'

const reporter = new Reporter()

async function main (): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as LargeJob
  await runLargeJob(job, reporter)
  if (job.kind !== 'crash-log') reporter.send({ type: 'done' })
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  reporter.send({ type: 'error', phase: reporter.phase, entries: reporter.entries, message })
  process.stderr.write(`${err instanceof Error ? err.stack ?? message : message}\n`)
  process.exitCode = 1
})
