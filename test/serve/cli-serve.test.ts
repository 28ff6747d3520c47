/**
 * `merkle-level serve` in a child process: it prints where it listens and
 * serves until SIGTERM (exit 0); refuses a non-loopback address without a
 * token (exit 2); takes the token from --token-file or MERKLE_LEVEL_TOKEN;
 * refuses a database another process holds (exit 3); names the page and
 * runs an integrity check with --check.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { CLI, runCli } from '../cli/run-cli'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'
import { rootAt, seed } from './seeded'

async function seededLocation (): Promise<string> {
  const location = tempLocation('cli-serve')
  const db = new MerkleLevel(location)
  await seed(db)
  await db.close()
  return location
}

// Starts `merkle-level serve` and resolves with the child and the URL of its first line.
async function serve (args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess, base: string, ended: Promise<number | null>, output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const ended = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
  let out = ''
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /at (https?:\/\/\S+\/v1\/) /.exec(out)
      if (match !== null) resolve(match[1])
    })
    child.on('close', code => reject(new Error(`serve exited ${String(code)}: ${out}`)))
  })
  return { child, base, ended, output: () => out }
}

test('serve: listens on 127.0.0.1, serves, and exits 0 on SIGTERM', async t => {
  const location = await seededLocation()
  const { child, base, ended } = await serve([location])
  t.ok(base.startsWith('http://127.0.0.1:'), base)
  const info = await httpGet(`${base}info`)
  t.equal(info.json.root, rootAt(5))
  t.equal(info.json.seq, 5)
  child.kill('SIGTERM')
  t.equal(await ended, 0)
  const db = new MerkleLevel(location)
  await db.open()
  t.equal(Buffer.from(await db.root()).toString('hex'), rootAt(5), 'the database is as it was, and free again')
  await db.close()
})

test('serve: names the page, and with --check runs an integrity check the overview reports', async t => {
  const location = await seededLocation()
  const { child, base, ended, output } = await serve([location, '--check'])
  t.ok(output().includes(`look inside: ${base}look/\n`), 'the first line names the page')
  t.equal((await httpGet(`${base}look/`)).status, 200, 'which is served')
  let check = null
  for (let tries = 0; check === null && tries < 100; tries++) {
    check = (await httpGet(`${base}overview`)).json.lastCheck
    if (check === null) await new Promise(resolve => setTimeout(resolve, 50))
  }
  t.deepEqual([check?.snapshot, check?.report.ok, check?.report.entries, check?.report.root], [false, true, 3, rootAt(5)], 'the check ran, and passed')
  child.kill('SIGTERM')
  t.equal(await ended, 0)
})

test('serve: a non-loopback host without a token is refused (exit 2), with --insecure served', async t => {
  const location = await seededLocation()
  const refused = await runCli(['serve', location, '--host', '0.0.0.0', '--port', '0'])
  t.equal(refused.code, 2)
  t.ok(refused.stderr.includes('--insecure'), refused.stderr.trim())
  const { child, base, ended } = await serve([location, '--host', '0.0.0.0', '--insecure'])
  const res = await httpGet(base.replace('0.0.0.0', '127.0.0.1') + 'info')
  t.equal(res.status, 200)
  child.kill('SIGTERM')
  t.equal(await ended, 0)
})

test('serve: the token from --token-file or MERKLE_LEVEL_TOKEN', async t => {
  const location = await seededLocation()
  const tokenFile = tempLocation('token')
  writeFileSync(tokenFile, 'from-file-token\n')
  for (const [args, env, token] of [
    [['--token-file', tokenFile], {}, 'from-file-token'],
    [[], { MERKLE_LEVEL_TOKEN: 'from-env-token' }, 'from-env-token']
  ] as Array<[string[], Record<string, string>, string]>) {
    const { child, base, ended } = await serve([location, '--host', '0.0.0.0', ...args], env)
    const local = base.replace('0.0.0.0', '127.0.0.1')
    t.equal((await httpGet(`${local}info`)).status, 401, `${token}: none`)
    t.equal((await httpGet(`${local}info`, { headers: { authorization: 'Bearer other' } })).status, 401, `${token}: wrong`)
    t.equal((await httpGet(`${local}info`, { headers: { authorization: `Bearer ${token}` } })).status, 200, `${token}: right`)
    child.kill('SIGTERM')
    t.equal(await ended, 0)
  }
  writeFileSync(tokenFile, '  \n')
  t.equal((await runCli(['serve', location, '--token-file', tokenFile, '--port', '0'])).code, 2, 'an empty token file')
  t.equal((await runCli(['serve', location, '--cert', tokenFile, '--port', '0'])).code, 2, '--cert without --key')
  t.equal((await runCli(['serve', location, '--port', '70000'])).code, 2, 'a bad port')
})

test('serve: a database another process holds is refused (exit 3)', async t => {
  const location = await seededLocation()
  const db = new MerkleLevel(location)
  await db.open()
  const held = await runCli(['serve', location, '--port', '0'])
  t.equal(held.code, 3, held.stderr.trim())
  await db.close()
})
