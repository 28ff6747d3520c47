/**
 * The nodes that writes make stay in memory until a checkpoint writes them
 * to an image. With automatic checkpoints on, their estimated bytes
 * (`overlayBytes`) start a checkpoint as the log's size does: a load whose
 * log grows slowly against the tree it copies must not run out of memory
 * before its log asks for one.
 */
import test from 'tape'
import { openBytes } from '../util/db'
import { tempLocation } from '../util/temp'
import { toHex } from '../../lib/bytes'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

async function load (location: string, options: { overlayBytes?: number, checkpointBytes: number }): Promise<{ checkpointed: boolean, entries: string[] }> {
  const db = await openBytes(location, options)
  for (let b = 0; b < 20; b++) {
    const ops = Array.from({ length: 200 }, (_, i) => ({ type: 'put' as const, key: bytes(`k${(i * 7919 + b * 31) % 3000}`), value: bytes(`v${b}`) }))
    await db.batch(ops, { sync: false })
  }
  // Checkpoints run in the background: give one time to end.
  for (let i = 0; i < 40 && db.lastCheckpoint === null; i++) await new Promise(resolve => setTimeout(resolve, 50))
  const checkpointed = db.lastCheckpoint?.ok === true
  await db.close()
  const reopened = await openBytes(location, { checkpointBytes: 0 })
  const entries = (await reopened.iterator().all()).map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
  await reopened.close()
  return { checkpointed, entries }
}

test('overlay bound: the nodes writes made start a checkpoint before the log does', async t => {
  const bounded = await load(tempLocation('overlay'), { checkpointBytes: 1 << 30, overlayBytes: 1 << 20 })
  const unbounded = await load(tempLocation('overlay'), { checkpointBytes: 1 << 30 })
  t.is(bounded.checkpointed, true, 'a 1 MiB bound started a checkpoint, which a 1 GiB log limit would not')
  t.is(unbounded.checkpointed, false, 'with the default bound, these writes start none')
  t.is(bounded.entries.length, 3000)
  t.same(bounded.entries, unbounded.entries, 'the same contents either way')
})

test('overlay bound: off with automatic checkpoints off', async t => {
  const off = await load(tempLocation('overlay'), { checkpointBytes: 0, overlayBytes: 1 << 20 })
  t.is(off.checkpointed, false, 'checkpointBytes 0: no checkpoint, whatever overlayBytes says')
})
