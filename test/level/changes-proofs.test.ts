/**
 * `db.changes({ proofs: true })`: each batch comes with a change proof that
 * verifies from the root before it to the root after it, and states what
 * the batch did (a clear as the dels it made), checked against a sorted-map
 * model over random histories with checkpoints and reopening; null where
 * the feed does not hold the state before the batch.
 */
import test from 'tape'
import fc from 'fast-check'
import { verifyChangeProof, computeRoot } from '../../verify'
import { range, writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { SortedModel } from '../util/model'
import type { ModelRange } from '../util/model'
import { openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { tempLocation } from '../util/temp'
import { codeOf } from '../util/codes'
import { toHex } from '../../lib/bytes'

type Step =
  | { kind: 'batch', ops: TestOp[] }
  | { kind: 'clear', range: ModelRange }
  | { kind: 'checkpoint' }
  | { kind: 'reopen' }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(writeOp, { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), range }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) }
)

const modelRoot = (model: SortedModel): string => toHex(computeRoot(model.entries().map(([key, value]) => ({ key, value }))))

test('changes with proofs: every proof verifies between consecutive roots and states the batch (random histories)', async t => {
  let proofs = 0
  const options = { checkpointBytes: 0, retainLogBytes: 1 << 30 }
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), fc.nat(), async (plan, pick) => {
    let db: ByteDb = await openBytes(tempLocation('changes-proofs'), options)
    const model = new SortedModel()
    // roots[k]: the root after batch k; keys[k]: the model's state after it, as "key=value" strings.
    const roots = [modelRoot(model)]
    const states: string[][] = [[]]
    const show = (): string[] => model.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
    try {
      for (const s of plan) {
        if (s.kind === 'checkpoint') await db.checkpoint()
        else if (s.kind === 'reopen') { await db.close(); db = await openBytes(db.location, options) } else if (s.kind === 'clear') {
          if (s.range.limit === 0) continue
          await db.clear(s.range)
          model.clear(s.range)
          roots.push(modelRoot(model)); states.push(show())
        } else {
          await db.batch(s.ops)
          for (const op of s.ops) op.type === 'put' ? model.put(op.key, op.value) : model.del(op.key)
          roots.push(modelRoot(model)); states.push(show())
        }
      }
      const since = pick % roots.length
      for await (const change of db.changes({ since, proofs: true })) {
        if (change.proof === null || change.proof === undefined) throw new Error(`batch ${change.seq} has no proof`)
        const { ops } = verifyChangeProof(change.proof, { from: roots[change.seq - 1], to: roots[change.seq] })
        // The stated operations, applied to the state before, give the state after.
        const replay = new SortedModel()
        for (const entry of states[change.seq - 1]) {
          const [k, v] = entry.split('=')
          replay.put(Buffer.from(k, 'hex'), Buffer.from(v, 'hex'))
        }
        for (const op of ops) op.type === 'put' ? replay.put(op.key, op.value) : replay.del(op.key)
        const after = replay.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
        if (JSON.stringify(after) !== JSON.stringify(states[change.seq])) throw new Error(`batch ${change.seq}: the stated ops give another state`)
        proofs++
      }
    } finally {
      await db.close()
    }
  }), { numRuns: 50 })
  t.pass(`${proofs} change proofs verified and replayed against the model`)
})

// The root after batch 7 of the test below: its entries 1..7, each k = k.
const ROOT_AFTER_7 = toHex(computeRoot([1, 2, 3, 4, 5, 6, 7].map(k => ({ key: Uint8Array.of(k), value: Uint8Array.of(k) }))))

test('changes with proofs: null for the batch whose prior state the feed does not hold; options checked', async t => {
  // The log is kept from batch 4 on, the image is at 6: a feed since 4 starts from the current state.
  const db = await openBytes(tempLocation('changes-proofs-null'), { checkpointBytes: 0, retainLogBytes: 128 + 3 * 37 })
  for (let k = 1; k <= 3; k++) await db.put(Uint8Array.of(k), Uint8Array.of(k))
  await db.checkpoint()
  for (let k = 4; k <= 6; k++) await db.put(Uint8Array.of(k), Uint8Array.of(k))
  await db.checkpoint()
  await db.put(Uint8Array.of(7), Uint8Array.of(7))
  // Live: the feed made at 7 follows the put of 8, whose prior state (7) it now holds.
  const seen: string[] = []
  const feed = db.changes({ since: 4, proofs: true, live: true })
  for (let i = 0; i < 4; i++) {
    if (i === 3) await db.put(Uint8Array.of(8), Uint8Array.of(8))
    const { value: change } = await feed.next()
    seen.push(`${change.seq} ${change.root === null ? 'no root' : 'root'} ${change.proof === null ? 'no proof' : 'proof'}`)
    if (change.proof != null) t.equal(verifyChangeProof(change.proof, { from: ROOT_AFTER_7, to: change.root as Uint8Array }).ops.length, 1)
  }
  await feed.return()
  t.deepEqual(seen, ['5 no root no proof', '6 no root no proof', '7 root no proof', '8 root proof'])
  for await (const change of db.changes({ since: 6 })) t.equal('proof' in change, false, 'without the option, no proof field')
  t.equal(codeOf(() => db.changes({ proofs: 'yes' as never })), 'LEVEL_INVALID_VALUE', 'proofs must be a boolean')
  t.equal(codeOf(() => db.changes({ proofs: true, roots: false })), 'LEVEL_INVALID_VALUE', 'proofs need roots')
  await db.close()
})
