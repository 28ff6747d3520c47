/**
 * `step` (lib/serve/step-tail.ts): from any state the server keeps, one
 * change proof to a later state, for the net change of the batches between.
 * Model-based: random histories of puts, deletes and ranged clears over a
 * few keys; every step from every kept state, with limits, must carry a
 * proof that merkle-level/verify accepts from the root recorded after batch
 * `since` to the root recorded after batch `last`, whose operations take the
 * model from the one state to the other, one per key, in key order. A since
 * older than what is kept is refused with REPLICATION_STEP_GONE, one ahead
 * of the head with REPLICATION_SINCE_AHEAD, and a long poll at the head is
 * answered by the next commit.
 */
import test from 'tape'
import fc from 'fast-check'
import { MerkleLevel } from '../../index'
import { changeProofFromJson, verifyChangeProof } from '../../verify'
import { compareBytes, toHex } from '../../lib/bytes'
import { tamperingServer } from '../util/tampering-server'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'

interface StepBody { since: number, last: number, head: number, root: string | null, proof: unknown }

const key = fc.integer({ min: 0, max: 20 }).map(n => `k${String(n).padStart(2, '0')}`)
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('put' as const), key, value: fc.string({ maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('del' as const), key }) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([a, b]) => ({ type: 'clear' as const, gte: a < b ? a : b, lt: a < b ? b : a })) }
)

type Op = { type: 'put', key: string, value: string } | { type: 'del', key: string } | { type: 'clear', gte: string, lt: string }

function applyToModel (model: Map<string, string>, o: Op): void {
  if (o.type === 'put') model.set(o.key, o.value)
  else if (o.type === 'del') model.delete(o.key)
  else for (const k of [...model.keys()]) if (k >= o.gte && k < o.lt) model.delete(k)
}

const hexOf = (s: string): string => Buffer.from(s).toString('hex')

async function waitFor (url: string, since: number, last: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await httpGet(`${url}v1/step?since=${since}`)
    if (res.status === 200 && (res.json as StepBody).last === last) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`the steps never reached batch ${last}`)
}

test('step: every step between kept states carries a proof of exactly the net change', async t => {
  let steps = 0
  let multi = 0
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(key, fc.string({ maxLength: 6 })), { maxLength: 15 }),
    fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 5 }),
    async (initial, batches, limit) => {
      const db = new MerkleLevel(tempLocation('step'))
      await db.open()
      const model = new Map<string, string>()
      for (const [k, v] of initial) {
        await db.put(k, v)
        model.set(k, v)
      }
      const served = await tamperingServer(db)
      try {
        const start = db.snapshot() as unknown as { seq: number, close: () => Promise<void> }
        const head0 = start.seq
        await start.close()
        // The first step starts the kept states at the head.
        const first = await httpGet(`${served.url}v1/step?since=${head0}`)
        if (first.status !== 200 || (first.json as StepBody).last !== head0) throw new Error(`the first step: ${first.status}`)
        const roots = new Map<number, string>([[head0, toHex(await db.root())]])
        const models = new Map<number, Map<string, string>>([[head0, new Map(model)]])
        let seq = head0
        for (const batch of batches) {
          // A ranged clear is a batch of its own (abstract-level's clear), after the batch's puts and dels.
          const writes = batch.filter((o): o is Exclude<Op, { type: 'clear' }> => o.type !== 'clear')
          const clears = batch.filter((o): o is Extract<Op, { type: 'clear' }> => o.type === 'clear')
          if (writes.length > 0) {
            await db.batch(writes)
            seq++
            for (const o of writes) applyToModel(model, o)
            roots.set(seq, toHex(await db.root()))
            models.set(seq, new Map(model))
          }
          for (const c of clears) {
            await db.clear({ gte: c.gte, lt: c.lt })
            seq++
            applyToModel(model, c)
            roots.set(seq, toHex(await db.root()))
            models.set(seq, new Map(model))
          }
        }
        await waitFor(served.url, head0, Math.min(seq, head0 + 1000))
        for (let since = head0; since <= seq; since++) {
          const res = await httpGet(`${served.url}v1/step?since=${since}&limit=${limit}`)
          const body = res.json as StepBody
          const last = Math.min(seq, since + limit)
          if (res.status !== 200 || body.since !== since || body.last !== last || body.head !== seq) throw new Error(`step from ${since}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`)
          steps++
          if (last === since) {
            if (body.root !== null || body.proof !== null) throw new Error('an empty step carries a proof')
            continue
          }
          if (last - since > 1) multi++
          if (body.root !== roots.get(last)) throw new Error(`step from ${since}: root ${String(body.root)}, not the root after ${last}`)
          const { ops } = verifyChangeProof(changeProofFromJson(body.proof), { from: roots.get(since) as string, to: roots.get(last) as string })
          const keys = ops.map(o => o.key)
          for (let i = 1; i < keys.length; i++) if (compareBytes(keys[i - 1], keys[i]) >= 0) throw new Error('operations not one per key in key order')
          const reached = new Map([...(models.get(since) as Map<string, string>)].map(([k, v]) => [hexOf(k), hexOf(v)]))
          for (const o of ops) {
            if (o.type === 'put') reached.set(toHex(o.key), toHex(o.value))
            else reached.delete(toHex(o.key))
          }
          const want = new Map([...(models.get(last) as Map<string, string>)].map(([k, v]) => [hexOf(k), hexOf(v)]))
          if (JSON.stringify([...reached].sort()) !== JSON.stringify([...want].sort())) throw new Error(`step from ${since}: the operations do not give the state after ${last}`)
        }
        const older = await httpGet(`${served.url}v1/step?since=${head0 - 1}`)
        if (head0 > 0 && (older.status !== 410 || (older.json as { error: { code: string } }).error.code !== 'REPLICATION_STEP_GONE')) throw new Error(`a since before the kept states: ${older.status}`)
        const ahead = await httpGet(`${served.url}v1/step?since=${seq + 1}`)
        if (ahead.status !== 409 || (ahead.json as { error: { code: string } }).error.code !== 'REPLICATION_SINCE_AHEAD') throw new Error(`a since ahead: ${ahead.status}`)
        return true
      } finally {
        await served.close()
        await db.close()
      }
    }
  ), { numRuns: 25 })
  t.pass(`${steps} steps verified against the recorded roots and the model`)
  t.ok(multi > 0, `${multi} of them spanned several batches`)
})

test('step: a long poll at the head is answered by the next commit', async t => {
  const db = new MerkleLevel(tempLocation('step'))
  await db.put('a', '1')
  const served = await tamperingServer(db)
  t.equal((await httpGet(`${served.url}v1/step?since=1`)).status, 200, 'the kept states start at batch 1')
  const from = toHex(await db.root())
  const poll = httpGet(`${served.url}v1/step?since=1&wait=5000`)
  await new Promise(resolve => setTimeout(resolve, 50))
  await db.batch([{ type: 'put', key: 'b', value: '2' }, { type: 'del', key: 'a' }])
  const res = await poll
  const body = res.json as StepBody
  t.equal(body.last, 2, 'the poll ends with the commit')
  const { ops } = verifyChangeProof(changeProofFromJson(body.proof), { from, to: toHex(await db.root()) })
  t.deepEqual(ops.map(o => [o.type, Buffer.from(o.key).toString()]), [['del', 'a'], ['put', 'b']], 'the net change, in key order')
  const idle = await httpGet(`${served.url}v1/step?since=2&wait=30`)
  t.deepEqual({ last: (idle.json as StepBody).last, proof: (idle.json as StepBody).proof }, { last: 2, proof: null }, 'nothing after the head: an empty step after the wait')
  await served.close()
  await db.close()
})
