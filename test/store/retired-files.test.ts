/**
 * A new base replaces the image files before it: deleted from the directory
 * at once, they must also be closed once nothing reads them, or their disk
 * space stays taken (and a descriptor each) until the database closes, and a
 * long-running process fills its disk with files nobody sees. A version
 * captured before the new base keeps reading them meanwhile.
 */
import test from 'tape'
import { readdirSync, readlinkSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { openBytes } from '../util/db'
import { tempLocation } from '../util/temp'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// Descriptors of this process open on deleted image files of `location`.
function deletedImagesOpen (location: string): string[] {
  const out: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue
    }
    if (target.startsWith(location) && /\.(mls|mld) \(deleted\)$/.test(target)) out.push(target)
  }
  return out
}

async function collect (): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc()
    await nextTurn()
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

test('retired image files: closed once unreachable, readable while a snapshot holds them', async t => {
  const location = tempLocation('retired')
  // A tiny merge ratio: every checkpoint writes a new base. A one-byte cache keeps no entry
  // that would reach a retired file until it is evicted.
  const db = await openBytes(location, { checkpointBytes: 0, mergeRatio: 1e-9, cacheBytes: 1 })
  const batch = (round: number): Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> =>
    Array.from({ length: 200 }, (_, i) => ({ type: 'put' as const, key: bytes(`k${i}`), value: bytes(`r${round}`) }))
  await db.batch(batch(1))
  t.is((await db.checkpoint()).kind, 'base')
  let snapshot: ReturnType<typeof db.snapshot> | null = db.snapshot()
  // A delta follows each base (no deltas yet, none outgrew it), then a base again.
  const kinds: string[] = []
  for (let round = 2; round <= 5; round++) {
    await db.batch(batch(round))
    kinds.push((await db.checkpoint()).kind ?? '')
  }
  t.same(kinds, ['delta', 'base', 'delta', 'base'])
  await collect()
  const held = deletedImagesOpen(location)
  t.is(held.length, 1, 'only the base the snapshot reads is still open')
  t.is(Buffer.from(await db.get(bytes('k7'), { snapshot }) as Uint8Array).toString(), 'r1', 'the snapshot reads its deleted base')
  t.is(Buffer.from(await db.get(bytes('k7')) as Uint8Array).toString(), 'r5')
  await snapshot.close()
  snapshot = null
  await collect()
  t.same(deletedImagesOpen(location), [], 'closed once the snapshot is gone')
  await db.close()
})
