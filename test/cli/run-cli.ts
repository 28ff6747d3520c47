/**
 * Runs the real command-line tool (dist/lib/cli/main.js) in a child process.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'

/** Path of the compiled entry point. */
export const CLI = join(__dirname, '..', '..', 'lib', 'cli', 'main.js')

/** What a run printed and how it ended. */
export interface CliRun {
  code: number | null
  stdout: string
  /** Standard output as bytes, for binary output. */
  stdoutBytes: Buffer
  stderr: string
}

/** Runs `merkle-level ...args`, optionally feeding `input` on standard input, in `cwd` if given. */
export async function runCli (args: string[], input?: string | Uint8Array, cwd?: string): Promise<CliRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd })
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', code => {
      const stdoutBytes = Buffer.concat(chunks)
      resolve({ code, stdout: stdoutBytes.toString(), stdoutBytes, stderr })
    })
    child.stdin.end(input)
  })
}

/** The standard output's lines, parsed as JSON. */
export function jsonLines (stdout: string): unknown[] {
  return stdout.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as unknown)
}
