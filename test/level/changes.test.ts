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
import { MerkleLevel } from '../../index'
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
      const bare = await collect(run.db, { since: k, roots: false })
      const rootless = run.history.slice(k).map(line => line.replace(/-> [0-9a-f]+$/, '-> null'))
      if (JSON.stringify(bare) !== JSON.stringify(rootless)) throw new Error(`feed since ${k} without roots:\n${bare.join('\n')}`)
    } finally {
      await run.db.close()
    }
  }), { numRuns: 60 })
  t.pass(`${runs} random histories, ${batches} batches: the feed from 0 and from a random k (with roots, and without) matched the model`)
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

// Where two lists of changes first differ, in a few words; 'none' when they do not.
function difference (got: string[], expected: string[]): string {
  const short = (line: string | undefined): string => line === undefined ? 'nothing' : line.replace(/=[0-9a-f]{16,}/, '=…')
  for (let i = 0; i < Math.max(got.length, expected.length); i++) {
    if (got[i] !== expected[i]) return `at ${i}: ${short(got[i])} where ${short(expected[i])} (${got.length} of ${expected.length})`
  }
  return 'none'
}

// The retained segments in `location`: [segment name, bytes].
function retained (location: string): Array<[string, number]> {
  return readdirSync(location).filter(n => n.includes('.retained-')).sort()
    .map(n => [n.replace(/\.retained-\d+$/, ''), statSync(join(location, n)).size])
}

// Writes `count` single puts as fast as they commit; resolves with the history they make.
async function writeMany (run: Run, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const key = Uint8Array.of(i >> 8, i & 0xff)
    const value = new Uint8Array(200).fill(i & 0xff)
    await write(run, [{ type: 'put', key, value }], async () => await run.db.put(key, value))
  }
}

for (const retain of [false, true]) {
  test(`changes: live, new batches in order across background checkpoints (${retain ? 'with' : 'without'} retention)`, async t => {
    // A checkpoint every few batches (each put is a frame of about 240 bytes).
    const options = { checkpointBytes: 4096, ...(retain ? { retainLogBytes: 1 << 20 } : {}) }
    const run: Run = { db: await openBytes(tempLocation('changes-live'), options), model: new SortedModel(), history: [] }
    await writeMany(run, 0, 5)
    const feed = run.db.changes({ since: 5, live: true })
    const seen: string[] = []
    const reading = (async () => {
      for await (const change of feed) {
        seen.push(showChange(change))
        if (change.seq === 205) break
      }
    })()
    let checkpoints = 0
    run.db.on('checkpoint-failed', () => t.fail('a checkpoint failed'))
    for (let round = 0; round < 20; round++) {
      await writeMany(run, 5 + round * 10, 10)
      if (run.db.lastCheckpoint?.ok === true) checkpoints++
    }
    await reading
    t.same(difference(seen, run.history.slice(5, 205)), 'none', '200 live batches, in order, each with the root of the model after it')
    t.ok(checkpoints >= 10, `background checkpoints ran meanwhile (seen after ${checkpoints} of 20 rounds)`)
    t.same((await feed.next()).done, true, 'after break, the iterator is done')
    await run.db.close()
  })
}

test('changes: a live feed that falls behind reads from the log; the database closing rejects a waiting next()', async t => {
  const run: Run = { db: await openBytes(tempLocation('changes-close'), { checkpointBytes: 0 }), model: new SortedModel(), history: [] }
  await writeMany(run, 0, 3)
  const feed = run.db.changes({ live: true })
  await writeMany(run, 3, 3)
  const first: string[] = []
  for (let i = 0; i < 6; i++) first.push(showChange((await feed.next()).value as Change))
  t.same(first, run.history, 'the batches committed before and after the feed was made, in order')
  const waiting = feed.next()
  await writeMany(run, 6, 1)
  t.same(showChange((await waiting).value as Change), run.history[6], 'a waiting next() gets the next commit')
  const pending = rejectionCode(feed.next())
  const notStarted = run.db.changes({ since: 2 })
  await run.db.close()
  t.same(await pending, 'LEVEL_DATABASE_NOT_OPEN', 'closing rejects the waiting next()')
  t.same(await rejectionCode(feed.next()), 'LEVEL_DATABASE_NOT_OPEN', 'and the next')
  t.same(await rejectionCode(notStarted.next()), 'LEVEL_DATABASE_NOT_OPEN', 'a feed that never started does not start after the close')
  await run.db.open()
  t.same(await rejectionCode(notStarted.next()), 'LEVEL_DATABASE_NOT_OPEN', 'nor once the database is open again')
  const again = await collect(run.db, { since: 5 })
  t.same(again, run.history.slice(5), 'a new feed after reopening reads the same batches, with their roots')
  await run.db.close()
})

test('changes: a non-live feed ends at the batch committed when it started; return() ends a feed', async t => {
  const run: Run = { db: await openBytes(tempLocation('changes-end'), { checkpointBytes: 0 }), model: new SortedModel(), history: [] }
  await writeMany(run, 0, 4)
  const feed = run.db.changes({ since: 1 })
  t.same(showChange((await feed.next()).value as Change), run.history[1], 'batch 2 first')
  await writeMany(run, 4, 2)
  const rest: string[] = []
  for await (const change of feed) rest.push(showChange(change))
  t.same(rest, run.history.slice(2, 4), 'batches 3 and 4: the feed ends at the last batch committed when it was made')
  const later = run.db.changes({ since: 2 })
  await writeMany(run, 6, 2)
  const unread: string[] = []
  for await (const change of later) unread.push(showChange(change))
  t.same(unread, run.history.slice(2, 6), 'made before batches 7 and 8, read after: batches 3 to 6')
  const live = run.db.changes({ since: 6, live: true })
  const waiting = live.next()
  await live.return()
  t.same(await waiting, { done: true, value: undefined }, 'return() ends a waiting next()')
  t.same(await live.next(), { done: true, value: undefined }, 'and later ones')
  await run.db.close()
})

test('changes: options are checked; since after the last batch is refused', async t => {
  const db = await openBytes(tempLocation('changes-options'), {})
  await db.put(Uint8Array.of(1), Uint8Array.of(1))
  const code = (fn: () => unknown): string => { try { fn(); return 'accepted' } catch (err) { return String((err as { code?: unknown }).code) } }
  t.same(code(() => db.changes({ since: -1 })), 'LEVEL_INVALID_VALUE', 'since -1')
  t.same(code(() => db.changes({ since: 1.5 })), 'LEVEL_INVALID_VALUE', 'since 1.5')
  t.same(code(() => db.changes({ since: '1' as unknown as number })), 'LEVEL_INVALID_VALUE', "since '1'")
  t.same(code(() => db.changes({ live: 1 as unknown as boolean })), 'LEVEL_INVALID_VALUE', 'live 1')
  t.same(code(() => db.changes({ roots: 'no' as unknown as boolean })), 'LEVEL_INVALID_VALUE', "roots 'no'")
  t.same(await rejectionCode(db.changes({ since: 2 }).next()), 'LEVEL_INVALID_VALUE', 'since 2 when the last batch is 1')
  await db.close()
  for (const [name, value] of [['retainLogBytes', -1], ['retainLogMs', Number.NaN], ['retainLogBytes', '1']] as const) {
    t.throws(() => new MerkleLevel(tempLocation('changes-options'), { [name]: value }), TypeError, `${name}: ${String(value)} refused`)
  }
})

test('changes: through sublevels, operations carry the stored keys; encodings decode them', async t => {
  const db = new MerkleLevel(tempLocation('changes-sublevel'))
  const sub = db.sublevel('users')
  const nested = sub.sublevel<string, unknown>('prefs', { valueEncoding: 'json' })
  await sub.put('alice', '1')
  await nested.batch([{ type: 'put', key: 'theme', value: { dark: true } }, { type: 'del', key: 'font' }])
  await sub.clear({ gte: 'a', lt: 'b' })
  const stored: string[] = []
  for await (const change of db.changes()) stored.push(change.ops.map(showOp).join(';'))
  const hex = (s: string): string => Buffer.from(s).toString('hex')
  t.same(stored, [
    `put ${hex('!users!alice')}=${hex('1')}`,
    `put ${hex('!users!!prefs!theme')}=${hex('{"dark":true}')};del ${hex('!users!!prefs!font')}`,
    `clear gte:${hex('!users!a')},lt:${hex('!users!b')}`
  ], 'keys as stored, with the sublevels\' prefixes; values as stored')
  const decoded: unknown[] = []
  for await (const change of db.changes<string, string>({ since: 1, keyEncoding: 'utf8', valueEncoding: 'utf8' })) decoded.push(change.ops)
  t.same(decoded, [
    [{ type: 'put', key: '!users!!prefs!theme', value: '{"dark":true}' }, { type: 'del', key: '!users!!prefs!font' }],
    [{ type: 'clear', range: { gte: '!users!a', lt: '!users!b' } }]
  ], 'utf8 encodings decode keys, values and bounds')
  await db.close()
})

test('changes: retained segments survive reopening; recovery neither replays nor removes them; destroy removes them', async t => {
  const location = tempLocation('changes-reopen')
  const options = { checkpointBytes: 0, retainLogMs: 60_000 }
  const run: Run = { db: await openBytes(location, options), model: new SortedModel(), history: [] }
  await writeMany(run, 0, 3)
  await run.db.checkpoint()
  await writeMany(run, 3, 3)
  await run.db.checkpoint()
  await writeMany(run, 6, 2)
  await run.db.close()
  const kept = retained(location).map(([name]) => name)
  t.same(kept, ['wal-00000000000000000001.log', 'wal-00000000000000000002.log'], 'two segments retained at close')
  run.db = await openBytes(location, options)
  const report = run.db.recovery
  t.same({ replayed: report?.recordsReplayed, segments: report?.segmentsRead, removed: report?.filesRemoved, unknown: report?.unknownFiles, seq: report?.seq },
    { replayed: 2, segments: 1, removed: [], unknown: [], seq: 8 }, 'recovery read the live segment alone: the 2 batches after the image at 6')
  t.same(retained(location).map(([name]) => name), kept, 'the retained segments are still there')
  t.same(await collect(run.db, {}), run.history, 'the feed from 0 after reopening: every batch with its root')
  await run.db.close()

  // Reopened with no retention: the retained segments go.
  run.db = await openBytes(location, { checkpointBytes: 0 })
  t.same(run.db.recovery?.filesRemoved.map(n => n.replace(/-\d+$/, '')), ['wal-00000000000000000001.log.retained', 'wal-00000000000000000002.log.retained'], 'opened without retention, the retained segments are deleted')
  t.same(await rejectionCode(run.db.changes({ since: 0 }).next()), 'LEVEL_CHANGES_GONE', 'and batch 1 is gone')
  await run.db.close()

  run.db = await openBytes(location, options)
  await writeMany(run, 8, 2)
  await run.db.checkpoint()
  await run.db.close()
  t.same(retained(location).length, 1, 'one retained segment again')
  await MerkleLevel.destroy(location)
  let left: string[] = []
  try { left = readdirSync(location) } catch {}
  t.same(left, [], 'destroy removed everything, retained segments included')
})

test('changes: retainLogMs deletes retained segments once older than that', async t => {
  const location = tempLocation('changes-age')
  const run: Run = { db: await openBytes(location, { checkpointBytes: 0, retainLogMs: 200 }), model: new SortedModel(), history: [] }
  await writeMany(run, 0, 2)
  await run.db.checkpoint()
  await writeMany(run, 2, 2)
  await run.db.checkpoint()
  t.same(retained(location).map(([name]) => name), ['wal-00000000000000000001.log', 'wal-00000000000000000002.log'], 'both kept while young')
  t.same((await collect(run.db, {})).length, 4, 'the feed from 0 reads them')
  await new Promise(resolve => setTimeout(resolve, 300))
  await writeMany(run, 4, 1)
  await run.db.checkpoint()
  t.same(retained(location).map(([name]) => name), ['wal-00000000000000000003.log'], 'the old ones deleted at the next checkpoint, the one it retired kept')
  t.same(await rejectionCode(run.db.changes({ since: 3 }).next()), 'LEVEL_CHANGES_GONE', 'since 3: batch 4 is gone')
  t.same(await collect(run.db, { since: 4 }), run.history.slice(4), 'since 4: batch 5 is kept')
  await run.db.close()
})

test('changes: a feed made at the current batch keeps its segment, even if a checkpoint retires it before the first next()', async t => {
  const run: Run = { db: await openBytes(tempLocation('changes-pinned'), { checkpointBytes: 0 }), model: new SortedModel(), history: [] }
  await writeMany(run, 0, 3)
  const feed = run.db.changes({ since: 3, live: true })
  const bare = run.db.changes({ since: 3, roots: false, live: true })
  await writeMany(run, 3, 2)
  const result = await run.db.checkpoint()
  t.same(result.removed, ['wal-00000000000000000001.log'], 'the checkpoint deleted the segment of batches 1 to 5')
  await writeMany(run, 5, 1)
  const seen: string[] = []
  for (let i = 0; i < 3; i++) seen.push(showChange((await feed.next()).value as Change))
  t.same(difference(seen, run.history.slice(3, 6)), 'none', 'batches 4 to 6 with their roots')
  const rootless: string[] = []
  for (let i = 0; i < 3; i++) rootless.push(showChange((await bare.next()).value as Change))
  t.same(difference(rootless, run.history.slice(3, 6).map(line => line.replace(/-> [0-9a-f]+$/, '-> null'))), 'none', 'and without roots')
  await feed.return()
  await bare.return()
  await run.db.close()
})

test('changes: made while the database opens, a feed starts once it is open', async t => {
  const location = tempLocation('changes-deferred')
  const first = await openBytes(location, { checkpointBytes: 0 })
  await first.put(Uint8Array.of(1), Uint8Array.of(1))
  await first.close()
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  t.same(db.status, 'opening', 'opening')
  const feed = db.changes({ keyEncoding: 'hex', valueEncoding: 'hex' })
  const got: unknown[] = []
  for await (const change of feed) got.push({ seq: change.seq, ops: change.ops, root: change.root === null ? null : toHex(change.root) })
  t.same(got, [{ seq: 1, ops: [{ type: 'put', key: '01', value: '01' }], root: rootOf([[Uint8Array.of(1), Uint8Array.of(1)]]) }], 'batch 1, decoded as hex, with its root')
  await db.close()
})
