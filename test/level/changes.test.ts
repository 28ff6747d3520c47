/**
 * The change feed (`db.changes()`): every committed batch in order, as
 * stored, with the root after it (checked against a fresh tree of a sorted-map
 * model's entries); resuming after a given batch; following commits live,
 * across background checkpoints; retention of retired segments and the coded
 * error for batches the log no longer holds; sublevels; reopening.
 */
import test from 'tape'
import fc from 'fast-check'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Change } from '../../index'
import { tempLocation } from '../util/temp'
import { SortedModel } from '../util/model'
import type { ModelRange } from '../util/model'
import { range, smallKey, smallValue, writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { openBytes, rootOf } from '../util/db'
import type { ByteDb } from '../util/db'
import { rejectionCode } from '../util/codes'
import { toHex } from '../../lib/bytes'

type Step =
  | { kind: 'put', key: Uint8Array, value: Uint8Array }
  | { kind: 'del', key: Uint8Array }
  | { kind: 'batch', ops: TestOp[] }
  | { kind: 'clear', range: ModelRange }
  | { kind: 'checkpoint' }
  | { kind: 'reopen' }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key: smallKey, value: smallValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('del' as const), key: smallKey }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(writeOp, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), range }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) }
)

// An operation as a string, from what was written or from the feed.
type AnyOp = { type: string, key?: Uint8Array, value?: Uint8Array, range?: ModelRange }
function showOp (op: AnyOp): string {
  if (op.type === 'put') return `put ${toHex(op.key as Uint8Array)}=${toHex(op.value as Uint8Array)}`
  if (op.type === 'del') return `del ${toHex(op.key as Uint8Array)}`
  const r = op.range as ModelRange
  const bounds = (['gt', 'gte', 'lt', 'lte'] as const).filter(b => r[b] !== undefined).map(b => `${b}:${toHex(r[b] as Uint8Array)}`)
  if (r.limit !== undefined && r.limit >= 0) bounds.push(`limit:${r.limit}`)
  if (r.reverse === true) bounds.push('reverse')
  return `clear ${bounds.join(',')}`
}

// A committed batch as the test expects to see it: `seq ops -> root`.
function showChange (change: Change): string {
  return `${change.seq} ${change.ops.map(showOp).join(';')} -> ${change.root === null ? 'null' : toHex(change.root)}`
}

async function collect (db: ByteDb, options: Parameters<ByteDb['changes']>[0]): Promise<string[]> {
  const out: string[] = []
  for await (const change of db.changes(options)) out.push(showChange(change))
  return out
}

/** A database and model kept in step; `history[i]` is batch i + 1 as the feed must show it. */
interface Run { db: ByteDb, model: SortedModel, history: string[] }

async function write (run: Run, ops: AnyOp[], doIt: () => Promise<void>): Promise<void> {
  await doIt()
  for (const op of ops) {
    if (op.type === 'put') run.model.put(op.key as Uint8Array, op.value as Uint8Array)
    else if (op.type === 'del') run.model.del(op.key as Uint8Array)
    else run.model.clear(op.range as ModelRange)
  }
  run.history.push(`${run.history.length + 1} ${ops.map(showOp).join(';')} -> ${rootOf(run.model.entries())}`)
}

async function apply (run: Run, s: Step, options: object): Promise<void> {
  const { db } = run
  switch (s.kind) {
    case 'put': return await write(run, [{ type: 'put', key: s.key, value: s.value }], async () => await db.put(s.key, s.value))
    case 'del': return await write(run, [{ type: 'del', key: s.key }], async () => await db.del(s.key))
    case 'batch': return await write(run, s.ops, async () => await db.batch(s.ops))
    // abstract-level writes nothing for a clear of limit 0: no batch.
    case 'clear': if (s.range.limit === 0) return await db.clear(s.range)
      return await write(run, [{ type: 'clear', range: s.range }], async () => await db.clear(s.range))
    case 'checkpoint': await db.checkpoint(); return
    case 'reopen':
      await db.close()
      run.db = await openBytes(db.location, options)
  }
}

test('changes: from 0 every batch in order with the root after it, and since=k resumes right after k (random histories)', async t => {
  let runs = 0
  let batches = 0
  const options = { checkpointBytes: 0, retainLogBytes: 1 << 30 }
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fc.nat(), async (plan, pick) => {
    runs++
    const run: Run = { db: await openBytes(tempLocation('changes-model'), options), model: new SortedModel(), history: [] }
    try {
      for (const s of plan) await apply(run, s, options)
      batches += run.history.length
      const all = await collect(run.db, {})
      if (JSON.stringify(all) !== JSON.stringify(run.history)) throw new Error(`feed from 0:\n${all.join('\n')}\nexpected:\n${run.history.join('\n')}`)
      const k = pick % (run.history.length + 1)
      const rest = await collect(run.db, { since: k })
      if (JSON.stringify(rest) !== JSON.stringify(run.history.slice(k))) throw new Error(`feed since ${k}:\n${rest.join('\n')}\nexpected:\n${run.history.slice(k).join('\n')}`)
    } finally {
      await run.db.close()
    }
  }), { numRuns: 60 })
  t.pass(`${runs} random histories, ${batches} batches: the feed from 0 and from a random k matched the model`)
})

test('changes: the current state alone known: roots are null up to it, then known again', async t => {
  // No retention: the checkpoints delete the log before them.
  const run: Run = { db: await openBytes(tempLocation('changes-null-roots'), { checkpointBytes: 0 }), model: new SortedModel(), history: [] }
  const { db } = run
  const put = async (k: number): Promise<void> => {
    const key = Uint8Array.of(k)
    await write(run, [{ type: 'put', key, value: key }], async () => await run.db.put(key, key))
  }
  for (let k = 1; k <= 3; k++) await put(k)
  await db.checkpoint()
  for (let k = 4; k <= 6; k++) await put(k)
  t.same(await rejectionCode(db.changes({ since: 0 }).next()), 'LEVEL_CHANGES_GONE', 'since 0: batch 1 is gone')
  t.same(await rejectionCode(db.changes({ since: 2 }).next()), 'LEVEL_CHANGES_GONE', 'since 2: batch 3 is gone')
  t.same(await collect(db, { since: 3 }), run.history.slice(3), 'since the image: every root, from the image\'s state')
  t.same(await collect(db, { since: 5 }), run.history.slice(5), 'since 5: from the image\'s state too')
  t.same(await collect(db, { since: 6 }), [], 'since the last batch: nothing')
  await db.close()

  // The log kept from batch 4 on (one segment of 3 puts: 128 + 3 * 37 bytes) but an image at 6:
  // a feed since 4 has no state to start from but the current one.
  const segmentBytes = 128 + 3 * 37
  const kept = await openBytes(tempLocation('changes-null-roots'), { checkpointBytes: 0, retainLogBytes: segmentBytes })
  const second: Run = { db: kept, model: new SortedModel(), history: [] }
  const put2 = async (k: number): Promise<void> => {
    const key = Uint8Array.of(k)
    await write(second, [{ type: 'put', key, value: key }], async () => await kept.put(key, key))
  }
  for (let k = 1; k <= 3; k++) await put2(k)
  await kept.checkpoint()
  t.same(retained(kept.location), [['wal-00000000000000000001.log', segmentBytes]], 'the first segment kept')
  for (let k = 4; k <= 6; k++) await put2(k)
  const result = await kept.checkpoint()
  t.same(retained(kept.location), [['wal-00000000000000000002.log', segmentBytes]], 'the second kept, the first deleted: both are more than retainLogBytes')
  t.ok(result.removed.includes('wal-00000000000000000002.log') && result.removed.some(n => n.startsWith('wal-00000000000000000001.log.retained-')), 'both reported removed')
  for (let k = 7; k <= 8; k++) await put2(k)
  t.same(await rejectionCode(kept.changes({ since: 2 }).next()), 'LEVEL_CHANGES_GONE', 'since 2: gone with the first segment')
  const nulls = second.history.slice(4).map((line, i) => i < 3 ? line.replace(/-> [0-9a-f]+$/, '-> null') : line)
  t.same(await collect(kept, { since: 4 }), nulls, 'since 3 and 4: batches before the current state have root null, the current one its root')
  t.same(await collect(kept, { since: 3 }), [second.history[3].replace(/-> [0-9a-f]+$/, '-> null'), ...nulls], 'since 3 likewise')
  t.same(await collect(kept, { since: 6 }), second.history.slice(6), 'since the image: every root')
  await kept.close()
})

// The retained segments in `location`: [segment name, bytes].
function retained (location: string): Array<[string, number]> {
  return readdirSync(location).filter(n => n.includes('.retained-')).sort()
    .map(n => [n.replace(/\.retained-\d+$/, ''), statSync(join(location, n)).size])
}
