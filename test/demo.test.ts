/**
 * `npm run demo` runs and all its checks hold.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import { join } from 'node:path'

test('demo: runs to the end and every check holds', async t => {
  const demo = join(__dirname, '..', 'demo', 'demo.js')
  const { code, stdout } = await new Promise<{ code: number | null, stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [demo], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout }))
  })
  t.equal(code, 0, 'exit 0')
  t.equal(stdout.split('\n').filter(l => l.includes(' FAIL ')).length, 0, 'no check failed')
  t.ok(/^all \d+ checks passed$/m.test(stdout), 'says all checks passed')
  for (let n = 1; n <= 6; n++) t.ok(stdout.includes(`\n${n}. `), `shows step ${n}`)
  t.ok(stdout.includes('got SIGKILL'), 'the child was killed')
})
