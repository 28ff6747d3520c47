/**
 * Child process for tests of files that could make the library block or read
 * without end (a FIFO, /dev/zero): runs `open` (open, then close) or `destroy`
 * on the location argv[3] and prints one JSON line, {"code", "cause"}, of
 * the outcome ("ok" when it succeeded). The parent kills it after a timeout,
 * so that a regression fails instead of hanging (probe() below).
 */
import { spawn } from 'node:child_process'
import { MerkleLevel } from '../../index'

/** What a probe printed, or 'timeout' when it had to be killed. */
export interface ProbeResult {
  code: string
  cause: string | null
}

/** Runs `op` on `location` in a child process, killed after `timeoutMs`. */
export async function probe (op: 'open' | 'destroy', location: string, timeoutMs = 20_000): Promise<ProbeResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, op, location], { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs, killSignal: 'SIGKILL' })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (signal !== null) resolve({ code: 'timeout', cause: null })
      else if (code !== 0) resolve({ code: `exit ${String(code)}`, cause: null })
      else resolve(JSON.parse(out) as ProbeResult)
    })
  })
}

async function run (op: string, location: string): Promise<void> {
  if (op === 'destroy') {
    await MerkleLevel.destroy(location)
  } else {
    const db = new MerkleLevel(location)
    await db.open()
    await db.close()
  }
}

if (require.main === module) {
  const [op, location] = process.argv.slice(2)
  run(op, location).then(() => {
    process.stdout.write(JSON.stringify({ code: 'ok', cause: null }) + '\n')
    process.exit(0)
  }, (err: { code?: unknown, cause?: { code?: unknown } }) => {
    process.stdout.write(JSON.stringify({ code: String(err.code), cause: err.cause?.code === undefined ? null : String(err.cause.code) }) + '\n')
    process.exit(0)
  })
}
