/**
 * Replication over random histories (puts, dels, ranged clears, checkpoints,
 * with the log kept or trimmed by checkpoints): replicas that start empty,
 * follow along, or lag behind until the server's log no longer holds their
 * position all reach the primary's root and entries, each by the way the
 * protocol prescribes (docs/REPLICATION.md §7): the feed while it holds the
 * replica's position, else a diff when the replica has entries, else a full
 * copy. And the feed's change proofs state exactly the truth: each verifies
 * from the root before its batch to the root after, its operations lead
 * from the one state to the other, and a proof with an operation altered,
 * dropped, or set between other roots is refused.
 */
import test from 'tape'
import fc from 'fast-check'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { replicate } from '../../index'
import type { ReplicateResult } from '../../index'
import { changeProofFromJson, computeRoot, verifyChangeProof } from '../../verify'
import { toHex } from '../../lib/bytes'
import { ReplicationClient } from '../../lib/replica/client'
import type { ChangeProofJson } from '../../lib/tree/change-json'
import { range, smallValue, writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { SortedModel } from '../util/model'
import type { ModelRange } from '../util/model'
import { openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { replicaEntries } from '../util/replica-entries'
import { tamperingServer } from '../util/tampering-server'
import { tempLocation } from '../util/temp'

type Step =
  | { kind: 'batch', ops: TestOp[] }
  | { kind: 'clear', range: ModelRange }
  | { kind: 'checkpoint' }
  | { kind: 'sync', replica: number }

const REPLICAS = 2

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(writeOp, { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), range }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), replica: fc.integer({ min: 0, max: REPLICAS - 1 }) }) }
)

// Puts spread over a wider key space first, so that the trees are a few levels deep.
const seedOps = fc.array(fc.record({ type: fc.constant('put' as const), key: fc.uint8Array({ minLength: 1, maxLength: 4 }), value: smallValue }), { maxLength: 40 })

const PROOF_CODES = new Set(['LEVEL_INVALID_PROOF', 'LEVEL_PROOF_ROOT_MISMATCH'])

const modelRoot = (model: SortedModel): string => toHex(computeRoot(model.entries().map(([key, value]) => ({ key, value }))))
const show = (model: SortedModel): Array<[string, string]> => model.entries().map(([k, v]) => [toHex(k), toHex(v)])

// What a replica must be brought by, from where it stands, to the state the server pinned
// (docs/REPLICATION.md §7). A batch that leaves the root as it was can make the server pin a
// state under the seq it first had: `pinned` is the seq the server states.
// The ways the protocol allows. Where the log no longer holds the replica's position, the server
// may still hold it in the tail it keeps for followers (lib/serve/feed-tail.ts: the last
// 4 x maxChanges batches since the first `changes` request), and answer by the feed.
function expectedWays (at: { seq: number, count: number } | null, pinned: number, checkpointed: number, retained: boolean): Array<ReplicateResult['how']> {
  if (at === null) return ['full']
  if (at.seq === pinned) return ['current']
  if (at.seq < pinned && (retained || at.seq >= checkpointed)) return ['feed']
  return [at.count > 0 ? 'diff' : 'full', 'feed']
}

test('replicas converge to the primary over random histories, each by the prescribed way', async t => {
  const taken = new Map<string, number>()
  await fc.assert(fc.asyncProperty(seedOps, fc.array(step, { minLength: 1, maxLength: 16 }), fc.nat(3).map(n => n === 0), fc.boolean(), async (seeded, plan, retained, finalCheckpoint) => {
    const db: ByteDb = await openBytes(tempLocation('primary'), { checkpointBytes: 0, ...(retained ? { retainLogBytes: 1 << 30 } : {}) })
    const served = await tamperingServer(db, {}, { maxRangeEntries: 7, maxChanges: 1 })
    const model = new SortedModel()
    let head = 0
    let checkpointed = 0
    // Where each replica stands: its seq and its number of entries, or null before its first sync.
    const replicas = Array.from({ length: REPLICAS }, () => ({ location: tempLocation('replica'), at: null as { seq: number, count: number } | null }))
    const sync = async (replica: { location: string, at: { seq: number, count: number } | null }): Promise<void> => {
      const pinned = (await new ReplicationClient(served.url).info()).seq
      const ways = expectedWays(replica.at, pinned, checkpointed, retained)
      const root = modelRoot(model)
      const result = await replicate(served.url, replica.location)
      taken.set(result.how, (taken.get(result.how) ?? 0) + 1)
      if (!ways.includes(result.how) || result.root !== root || result.seq !== pinned) {
        throw new Error(`Expected ${ways.join(' or ')} to ${root} at ${pinned}, got ${JSON.stringify(result)}`)
      }
      const way = result.how
      const entries = await replicaEntries(replica.location)
      if (JSON.stringify(entries) !== JSON.stringify(show(model))) throw new Error(`The replica's entries differ from the model's after ${way}`)
      const record = JSON.parse(await readFile(join(replica.location, 'REPLICA.json'), 'utf8'))
      if (record.root !== root || record.seq !== pinned || record.pending !== undefined) throw new Error(`The record is ${JSON.stringify(record)}`)
      replica.at = { seq: pinned, count: model.size }
    }
    try {
      if (seeded.length > 0) {
        await db.batch(seeded)
        for (const op of seeded) model.put(op.key, op.value)
        head++
      }
      // Replica 0 starts from the seeded state; the plan decides when the others start.
      await sync(replicas[0])
      for (const s of plan) {
        if (s.kind === 'checkpoint') {
          await db.checkpoint()
          checkpointed = head
        } else if (s.kind === 'sync') {
          await sync(replicas[s.replica])
        } else if (s.kind === 'clear') {
          if (s.range.limit === 0) continue
          await db.clear(s.range)
          model.clear(s.range)
          head++
        } else {
          await db.batch(s.ops)
          for (const op of s.ops) op.type === 'put' ? model.put(op.key, op.value) : model.del(op.key)
          head++
        }
      }
      if (finalCheckpoint) {
        await db.checkpoint()
        checkpointed = head
      }
      for (const replica of replicas) await sync(replica)
      await sync({ location: tempLocation('replica'), at: null })
    } finally {
      await served.close()
      await db.close()
    }
  }), { numRuns: 40 }).catch(err => { console.log(err.cause); throw err }) // fast-check's message leaves out the cause's
  t.pass(`replications by way: ${JSON.stringify(Object.fromEntries(taken))}`)
  t.ok(['full', 'feed', 'diff', 'current'].every(way => (taken.get(way) ?? 0) > 0), 'every way was taken')
})

// An operation of a change proof with one byte of its key or value changed, or a byte added.
function altered (op: ChangeProofJson['ops'][number], where: number): ChangeProofJson['ops'][number] {
  const flip = (hex: string): string => hex.length === 0 ? '00' : hex.slice(0, where % hex.length & ~1) + (parseInt(hex.slice(where % hex.length & ~1, (where % hex.length & ~1) + 2), 16) ^ 1).toString(16).padStart(2, '0') + hex.slice((where % hex.length & ~1) + 2)
  if (op.type === 'put' && where % 2 === 0) return { ...op, value: flip(op.value) }
  return { ...op, key: flip(op.key) }
}

type Outcome = 'refused' | 'true' | 'FALSE' | 'crashed'

// A change proof between roots `from` and `to`, whose states are given: refused with a proof error,
// or accepted with operations that lead from the one state to the other (a del of one absent key
// may become a del of another); anything else is wrong.
function judge (proof: ChangeProofJson, from: string, to: string, before: Array<[string, string]>, after: Array<[string, string]>): Outcome {
  let ops
  try {
    ops = verifyChangeProof(changeProofFromJson(proof), { from, to }).ops
  } catch (err) {
    return PROOF_CODES.has((err as { code?: string }).code ?? '') ? 'refused' : 'crashed'
  }
  const state = new SortedModel()
  for (const [k, v] of before) state.put(Buffer.from(k, 'hex'), Buffer.from(v, 'hex'))
  for (const op of ops) op.type === 'put' ? state.put(op.key, op.value) : state.del(op.key)
  return JSON.stringify(show(state)) === JSON.stringify(after) ? 'true' : 'FALSE'
}

test('the feed\'s change proofs state exactly the batches: true ones verify, altered ones are refused', async t => {
  let refused = 0
  await fc.assert(fc.asyncProperty(seedOps, fc.array(fc.oneof(
    fc.record({ kind: fc.constant('batch' as const), ops: fc.array(writeOp, { minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('clear' as const), range })
  ), { minLength: 1, maxLength: 10 }), fc.nat(), async (seeded, plan, where) => {
    const db: ByteDb = await openBytes(tempLocation('primary'))
    const served = await tamperingServer(db)
    const model = new SortedModel()
    const roots = [modelRoot(model)]
    const states = [show(model)]
    try {
      for (const s of [{ kind: 'batch' as const, ops: seeded.length > 0 ? seeded : [{ type: 'del' as const, key: new Uint8Array(1) }] }, ...plan]) {
        if (s.kind === 'clear') {
          if (s.range.limit === 0) continue
          await db.clear(s.range)
          model.clear(s.range)
        } else {
          await db.batch(s.ops)
          for (const op of s.ops) op.type === 'put' ? model.put(op.key, op.value) : model.del(op.key)
        }
        roots.push(modelRoot(model))
        states.push(show(model))
      }
      const page = await new ReplicationClient(served.url).changes(0, 1000)
      if (page.changes.length !== roots.length - 1) throw new Error(`The feed has ${page.changes.length} batches, not ${roots.length - 1}`)
      for (const change of page.changes) {
        const from = roots[change.seq - 1]
        const to = roots[change.seq]
        if (change.root !== to || change.proof === null) throw new Error(`Batch ${change.seq} comes with ${String(change.root)}, not ${to}`)
        const proof = change.proof
        // The true statement verifies, and its operations lead from the state before to the state after.
        const { ops } = verifyChangeProof(changeProofFromJson(proof), { from, to })
        const state = new SortedModel()
        for (const [k, v] of states[change.seq - 1]) state.put(Buffer.from(k, 'hex'), Buffer.from(v, 'hex'))
        for (const op of ops) op.type === 'put' ? state.put(op.key, op.value) : state.del(op.key)
        if (JSON.stringify(show(state)) !== JSON.stringify(states[change.seq])) throw new Error(`Batch ${change.seq}'s proven operations do not lead to its state`)
        // Between other states, or with an operation altered or dropped, it is refused, or still states a truth.
        const before = states[change.seq - 1]
        const after = states[change.seq]
        const outcomes = [judge(proof, to, from, after, before)]
        const other = roots.findIndex(root => root !== from && root !== to)
        if (other >= 0) outcomes.push(judge(proof, from, roots[other], before, states[other]))
        if (proof.ops.length > 0) {
          const i = where % proof.ops.length
          outcomes.push(judge({ ...proof, ops: proof.ops.map((op, j) => j === i ? altered(op, where) : op) }, from, to, before, after))
          outcomes.push(judge({ ...proof, ops: proof.ops.filter((_, j) => j !== i) }, from, to, before, after))
        }
        const wrong = outcomes.filter(outcome => outcome !== 'refused' && outcome !== 'true')
        if (wrong.length > 0) throw new Error(`Batch ${change.seq}: ${wrong.join(', ')}`)
        refused += outcomes.filter(outcome => outcome === 'refused').length
      }
    } finally {
      await served.close()
      await db.close()
    }
  }), { numRuns: 40 }).catch(err => { console.log(err.cause); throw err }) // fast-check's message leaves out the cause's
  t.ok(refused > 100, `${refused} false statements refused, none accepted as a falsehood`)
})
