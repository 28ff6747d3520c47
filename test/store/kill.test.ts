/**
 * A first kill test: a child process commits synced batches and reports
 * each acknowledgement; the parent kills it with SIGKILL at random moments
 * and reopens. Every acknowledged batch must be there, no batch may be
 * partly applied, and nothing beyond the last issued batch may appear.
 * Small automatic checkpoints make the kills land in rotations and snapshot
 * writes too.
 */
import test from 'tape'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

const writer = join(__dirname, '..', 'util', 'ack-writer.js')
const KILLS = 20 * Number(process.env.CRASH_EFFORT ?? 1)

function runAndKill (location: string, delayMs: number): Promise<{ issued: number, acked: number }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [writer, location, '4096'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    let killed = false
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      // Start the clock once the child is writing, so that every kill lands mid-work.
      if (!killed && out.includes('ack')) {
        killed = true
        setTimeout(() => child.kill('SIGKILL'), delayMs)
      }
    })
    child.on('exit', () => {
      const issued = Math.max(0, ...[...out.matchAll(/issued (\d+)/g)].map(m => Number(m[1])))
      const acked = Math.max(0, ...[...out.matchAll(/ack (\d+)/g)].map(m => Number(m[1])))
      resolve({ issued, acked })
    })
  })
}

test(`kill: ${KILLS} SIGKILLs during synced writes lose no acknowledged batch and never show a partial one`, async t => {
  const location = tempLocation('kill')
  let problems = 0
  let batches = 0
  for (let round = 0; round < KILLS; round++) {
    const { issued, acked } = await runAndKill(location, Math.floor(Math.random() * 150))
    const db = new MerkleLevel(location)
    await db.open()
    const last = Number((await db.get('last')) ?? 0)
    const entries = await db.iterator().all()
    await db.close()
    const keys = new Set(entries.map(([k]) => k))
    let ok = last >= acked && last <= issued
    for (let i = 1; i <= last && ok; i++) {
      if (!keys.has(`${i}/a`) || !keys.has(`${i}/b`)) ok = false
    }
    if (keys.has(`${last + 1}/a`) || keys.has(`${last + 1}/b`)) ok = false
    if (entries.length !== 2 * last + (last > 0 ? 1 : 0)) ok = false
    if (!ok) {
      problems++
      t.fail(`round ${round}: acked ${acked}, issued ${issued}, recovered ${last}, ${entries.length} entries`)
    }
    batches = last
  }
  t.is(problems, 0, `${KILLS} kills, ${batches} batches in the end, every recovery a complete prefix covering all acknowledged batches`)
})
