/**
 * Code written against db.supports (the level-supports manifest) works the
 * same over MerkleLevel, memory-level and classic-level, and MerkleLevel's
 * manifest is honest: every feature it declares works, and every additional
 * method it lists exists.
 */
import test from 'tape'
import type { AbstractLevel } from 'abstract-level'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

type AnyLevel = AbstractLevel<any, string, string> // eslint-disable-line @typescript-eslint/no-explicit-any

// A plugin-style helper: reads a consistent pair of keys, using what the database offers.
async function readPair (db: AnyLevel, a: string, b: string): Promise<{ values: Array<string | undefined>, via: string }> {
  if (db.supports.explicitSnapshots) {
    const snapshot = db.snapshot()
    try {
      return { values: [await db.get(a, { snapshot }), await db.get(b, { snapshot })], via: 'snapshot' }
    } finally {
      await snapshot.close()
    }
  }
  if (db.supports.implicitSnapshots) return { values: (await db.getMany([a, b])), via: 'getMany' }
  return { values: [await db.get(a), await db.get(b)], via: 'get' }
}

// Uses has() and getSync() only where declared.
async function exists (db: AnyLevel, key: string): Promise<boolean> {
  if (db.supports.has) return await db.has(key)
  return (await db.get(key)) !== undefined
}

function peek (db: AnyLevel, key: string): string | undefined {
  // level-supports' IManifest type predates getSync.
  if ((db.supports as { getSync?: boolean }).getSync !== true) throw new Error('getSync not supported')
  return db.getSync(key)
}

const makers: Array<[string, () => AnyLevel]> = [
  ['merkle-level', () => new MerkleLevel(tempLocation()) as unknown as AnyLevel],
  ['memory-level', () => new MemoryLevel() as unknown as AnyLevel],
  ['classic-level', () => new ClassicLevel(tempLocation()) as unknown as AnyLevel]
]

test('supports: the same feature-detecting code runs on three backends', async t => {
  for (const [name, make] of makers) {
    const db = make()
    await db.open()
    await db.batch([{ type: 'put', key: 'x', value: '1' }, { type: 'put', key: 'y', value: '2' }])
    const pair = await readPair(db, 'x', 'y')
    t.deepEqual(pair.values, ['1', '2'], `${name}: consistent pair via ${pair.via}`)
    t.equal(await exists(db, 'x'), true, `${name}: exists`)
    t.equal(await exists(db, 'nope'), false, `${name}: does not exist`)
    t.equal(peek(db, 'y'), '2', `${name}: getSync`)
    await db.close()
  }
})

test('supports: the MerkleLevel manifest is honest', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  const s = db.supports
  t.deepEqual({
    explicitSnapshots: s.explicitSnapshots,
    implicitSnapshots: s.implicitSnapshots,
    permanence: s.permanence,
    has: s.has,
    seek: s.seek,
    createIfMissing: s.createIfMissing,
    errorIfExists: s.errorIfExists,
    deferredOpen: s.deferredOpen
  }, {
    explicitSnapshots: true,
    implicitSnapshots: true,
    permanence: true,
    has: true,
    seek: true,
    createIfMissing: true,
    errorIfExists: true,
    deferredOpen: true
  }, 'declared features')
  const methods = Object.keys(s.additionalMethods).sort()
  t.deepEqual(methods, ['backup', 'changes', 'check', 'checkpoint', 'diff', 'diskUsage', 'prove', 'proveChange', 'proveRange', 'root'], 'additional methods')
  for (const m of methods) t.equal(typeof (db as unknown as Record<string, unknown>)[m], 'function', `${m} is a method`)
  // Deferred open: every additional method waits for open() like the standard ones.
  t.equal(db.status, 'opening', 'still opening')
  t.equal((await db.root()).length, 32, 'root() before open resolves after it')
  // permanence: written data survives close and reopen.
  await db.put('kept', 'yes')
  await db.close()
  const again = new MerkleLevel(location, { createIfMissing: false })
  t.equal(await again.get('kept'), 'yes', 'permanence')
  await again.close()
  // createIfMissing / errorIfExists are honoured with abstract-level's error shapes.
  const missing = new MerkleLevel(tempLocation(), { createIfMissing: false })
  await missing.open().then(() => t.fail('should not open'), (err: { code?: string }) => t.equal(err.code, 'LEVEL_DATABASE_NOT_OPEN', 'createIfMissing: false'))
  const exists = new MerkleLevel(location, { errorIfExists: true })
  await exists.open().then(() => t.fail('should not open'), (err: { code?: string }) => t.equal(err.code, 'LEVEL_DATABASE_NOT_OPEN', 'errorIfExists: true'))
})

test('supports: a second open is LEVEL_LOCKED in the cause, as rave-level expects', async t => {
  const location = tempLocation()
  const first = new MerkleLevel(location)
  await first.open()
  const second = new MerkleLevel(location)
  try {
    await second.open()
    t.fail('should not open')
  } catch (err) {
    const e = err as { code?: string, cause?: { code?: string } }
    t.deepEqual([e.code, e.cause?.code], ['LEVEL_DATABASE_NOT_OPEN', 'LEVEL_LOCKED'], 'LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED')
  }
  await first.close()
})
