/**
 * Runs every test file (dist/test/**\/*.test.js) in its own Node process, two
 * at a time, and prints each file's TAP output followed by a summary. The
 * last line is "assertions: N passed, N failed"; the exit code is non-zero
 * when any assertion or process failed. Pass file-name fragments as
 * arguments to run only matching files.
 */
import { spawn } from 'node:child_process'
import { filesUnder } from './util/files'
import { relative } from 'node:path'

interface FileResult {
  file: string
  pass: number
  fail: number
  code: number | null
  output: string
  ms: number
}

function runFile (file: string): Promise<FileResult> {
  const started = Date.now()
  return new Promise(resolve => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('close', code => {
      const pass = Number(/^# pass\s+(\d+)/m.exec(output)?.[1] ?? 0)
      const fail = Number(/^# fail\s+(\d+)/m.exec(output)?.[1] ?? 0)
      resolve({ file, pass, fail, code, output, ms: Date.now() - started })
    })
  })
}

async function main (): Promise<void> {
  const here = __dirname
  const filters = process.argv.slice(2)
  const files = filesUnder(here, '.test.js').filter(f => filters.length === 0 || filters.some(x => f.includes(x)))
  const results: FileResult[] = []
  let next = 0
  const workers = Array.from({ length: Math.min(2, files.length) }, async () => {
    while (next < files.length) {
      const result = await runFile(files[next++])
      const failed = result.fail > 0 || result.code !== 0
      // Print whole files at once so that parallel output does not interleave.
      if (failed || process.env.VERBOSE !== undefined) process.stdout.write(result.output)
      else process.stdout.write(result.output.split('\n').filter(l => l.startsWith('# ') && !l.startsWith('# tests') && !l.startsWith('# pass') && !l.startsWith('# ok')).slice(-40).join('\n') + '\n')
      console.log(`${failed ? 'FAIL' : 'ok  '} ${relative(here, result.file)}: ${result.pass} passed, ${result.fail} failed, exit ${result.code}, ${(result.ms / 1000).toFixed(1)} s`)
      results.push(result)
    }
  })
  await Promise.all(workers)
  const pass = results.reduce((n, r) => n + r.pass, 0)
  const fail = results.reduce((n, r) => n + r.fail, 0)
  const crashed = results.filter(r => r.code !== 0).length
  console.log('')
  for (const r of results.sort((a, b) => a.file.localeCompare(b.file))) {
    console.log(`  ${relative(here, r.file).padEnd(40)} ${String(r.pass).padStart(7)} passed ${String(r.fail).padStart(4)} failed`)
  }
  if (crashed > 0) console.log(`${crashed} test file(s) exited with a non-zero code`)
  console.log(`assertions: ${pass} passed, ${fail + crashed} failed`)
  process.exitCode = fail > 0 || crashed > 0 || results.length === 0 ? 1 : 0
}

void main()
