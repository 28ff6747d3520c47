/**
 * Runs a job in a child process of its own: `node --expose-gc worker.js
 * <job as JSON>`, in a fresh temporary directory that is removed however
 * the worker ends (even killed at the time limit). Its stderr is passed
 * through (errors stay visible); its stdout carries the result.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Job, JobResult } from './job'

const WORKER = join(__dirname, 'worker.js')

/** A job as the parent asks for it: the worker's directory is made under `baseDir`. */
export type JobRequest = Omit<Job, 'dir'> & { baseDir: string }

/** Runs `request`; rejects when the worker fails, prints no result, or outlives `timeoutMs`. */
export async function runJob (request: JobRequest, timeoutMs: number): Promise<JobResult> {
  const { baseDir, ...rest } = request
  const dir = await mkdtemp(join(baseDir, `merkle-level-bench-${request.suite}-`))
  try {
    return await runWorker({ ...rest, dir }, timeoutMs)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function runWorker (job: Job, timeoutMs: number): Promise<JobResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', WORKER, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => { stdout += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', err => { clearTimeout(timer); reject(err) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0 || line === '') {
        reject(new Error(`${job.suite} on ${job.subject}: worker ended with ${signal ?? `exit code ${String(code)}`}`))
        return
      }
      try {
        resolve(JSON.parse(line) as JobResult)
      } catch (err) {
        reject(new Error(`${job.suite} on ${job.subject}: unreadable result ${JSON.stringify(line)}`, { cause: err }))
      }
    })
  })
}
