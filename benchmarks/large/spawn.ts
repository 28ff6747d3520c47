/**
 * Runs one child of the large run and gathers what it reported. A child
 * that dies is not an error of the run: its failure is described from
 * what it last said and from its stderr ("heap out of memory after k
 * entries"), and the figures it reported before are kept.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { LargeFigures, LargeJob, LargeMessage } from './job'

const WORKER = join(__dirname, 'worker.js')
// Enough of stderr's end to find V8's fatal error line.
const STDERR_TAIL = 16 * 1024

/** What a child left: its figures, and why it failed (null when it did not). */
export interface ChildOutcome {
  figures: LargeFigures
  failure: string | null
}

function describeFailure (last: { phase: string, entries: number }, stderr: string, ending: string, thrown: string | null): string {
  const where = `in ${last.phase} after ${last.entries.toLocaleString('en-US')} entries`
  if (thrown !== null) return `failed: ${thrown} (${where})`
  if (/heap out of memory/i.test(stderr)) return `failed: heap out of memory ${where}`
  if (ending === 'SIGKILL') return `failed: killed by SIGKILL, probably the kernel's out-of-memory killer, ${where}`
  return `failed: ${ending} ${where}`
}

/**
 * Runs `job` in `node worker.js` with Node's default flags. `killWhenReady`:
 * the child is SIGKILLed as soon as it says it is ready (the crash case),
 * which is then its success.
 */
export async function runChild (job: LargeJob, timeoutMs: number, killWhenReady = false): Promise<ChildOutcome> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const figures: LargeFigures = {}
    const last = { phase: 'start', entries: 0 }
    let thrown: string | null = null
    let finished = false
    let killedWhenReady = false
    let stderr = ''
    let pending = ''
    const onMessage = (message: LargeMessage): void => {
      if (message.type === 'progress') {
        // The child reports every 10,000 entries (how far it got, should it die); the console hears of every 100,000.
        if (message.phase !== last.phase || message.entries % 100_000 === 0) {
          process.stderr.write(`  ${job.store} · ${message.phase}: ${message.entries.toLocaleString('en-US')}\n`)
        }
        last.phase = message.phase
        last.entries = message.entries
      } else if (message.type === 'figures') Object.assign(figures, message.figures)
      else if (message.type === 'error') {
        thrown = message.message
        last.phase = message.phase
        last.entries = message.entries
      } else if (message.type === 'ready' && killWhenReady) {
        killedWhenReady = true
        child.kill('SIGKILL')
      } else if (message.type === 'done') finished = true
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') onMessage(JSON.parse(line) as LargeMessage)
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      process.stderr.write(chunk)
      stderr = (stderr + chunk).slice(-STDERR_TAIL)
    })
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('error', err => { clearTimeout(timer); reject(err) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (killedWhenReady || (code === 0 && finished)) {
        resolve({ figures, failure: null })
        return
      }
      const ending = timedOut ? `timed out after ${Math.round(timeoutMs / 60_000)} min` : signal ?? `exit code ${String(code)}`
      resolve({ figures, failure: describeFailure(last, stderr, ending, thrown) })
    })
  })
}
