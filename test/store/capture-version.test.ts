/**
 * The current version leaves the engine only through captureVersion(),
 * which closes the open edit: a captured version is never changed by the
 * writes after it, which go on changing their own new nodes in place.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { Engine } from '../../lib/store/engine'
import type { WriteOp } from '../../lib/store/batch-record'
import { toHex } from '../../lib/bytes'
import { rootOf } from '../util/db'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const put = (k: string, v: string): WriteOp => ({ type: 'put', key: bytes(k), value: bytes(v) })

test('capture version: no other member hands out the current version', t => {
  const members = Object.getOwnPropertyNames(Engine.prototype)
  t.notOk(members.includes('tree'), 'no tree getter')
  t.ok(members.includes('captureVersion'))
  t.end()
})

test('capture version: a captured version is unchanged by later writes in the same edit run', async t => {
  const engine = await Engine.open('/db', { fs: new SimulatedFileSystem(), createIfMissing: true, errorIfExists: false })
  // Writes nobody captured in between: one open edit, nodes changed in place.
  for (let i = 0; i < 50; i++) await engine.write([put(`k${i}`, 'a')], false)
  const captured = engine.captureVersion()
  const expected: Array<[Uint8Array, Uint8Array]> = Array.from({ length: 50 }, (_, i) => [bytes(`k${i}`), bytes('a')])
  const sorted = (entries: Array<[Uint8Array, Uint8Array]>): Array<[Uint8Array, Uint8Array]> =>
    [...entries].sort((x, y) => Buffer.compare(x[0], y[0]))
  // The same keys again, deletes and a range delete: each would change the captured nodes in place.
  for (let i = 0; i < 50; i++) await engine.write([put(`k${i}`, 'b')], false)
  await engine.write([{ type: 'del', key: bytes('k1') }, { type: 'clear', range: { gte: bytes('k3'), lt: bytes('k4') } }], false)
  t.is(captured.size, 50)
  t.same(Array.from({ length: 50 }, (_, i) => toHex(captured.get(bytes(`k${i}`)) ?? new Uint8Array())), Array(50).fill(toHex(bytes('a'))))
  t.is(toHex(await captured.rootAsync()), rootOf(sorted(expected)))
  t.not(toHex(engine.captureVersion().root()), toHex(captured.root()))
  await engine.close()
})
