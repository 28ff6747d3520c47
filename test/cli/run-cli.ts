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
  stderr: string
}

/** Runs `merkle-level ...args`, optionally feeding `input` on standard input. */
export async function runCli (args: string[], input?: string | Uint8Array): Promise<CliRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** The standard output's lines, parsed as JSON. */
export function jsonLines (stdout: string): unknown[] {
  return stdout.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as unknown)
}
