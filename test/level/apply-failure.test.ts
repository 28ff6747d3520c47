/**
 * A logged batch that fails to apply to the index (nothing valid does; a stack
 * overflow in a pathologically deep tree could) leaves the current version
 * possibly half changed in place: reads and writes are refused with
 * LEVEL_IO_ERROR until the database is reopened, and reopening replays the
 * batch from the log. With automatic checkpoints off, a batch is applied when
 * it commits; with them on, it waits in the write buffer until something needs
 * the whole tree (here root()), and fails there.
 */
import test from 'tape'
import { tempLocation } from '../util/temp'
import { openBytes } from '../util/db'
import { Tree } from '../../lib/tree/tree'
import { toHex } from '../../lib/bytes'
import { rejectionCodes } from '../util/codes'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => await p.then(() => undefined, (err: { code?: string }) => err.code)

test('apply failure: the index is refused until reopened, and reopening replays the batch', async t => {
  const location = tempLocation('apply-failure')
  const db = await openBytes(location, { checkpointBytes: 0 })
  await db.put(enc('a'), enc('1'))
  const put = Tree.prototype.put
  Tree.prototype.put = function () { throw new RangeError('Maximum call stack size exceeded') }
  try {
    t.is(await codeOf(db.put(enc('b'), enc('2'))), 'LEVEL_IO_ERROR', 'the failed write rejects')
  } finally {
    Tree.prototype.put = put
  }
  await refusedThenReplayed(t, db, location)
})

test('apply failure: a buffered write that fails to apply when a reader needs the whole tree', async t => {
  const location = tempLocation('apply-failure')
  const db = await openBytes(location)
  await db.put(enc('a'), enc('1'))
  await db.put(enc('b'), enc('2'))
  const put = Tree.prototype.put
  Tree.prototype.put = function () { throw new RangeError('Maximum call stack size exceeded') }
  try {
    t.is(await codeOf(db.root()), 'LEVEL_IO_ERROR', 'the root, which needs the buffered writes applied, rejects')
  } finally {
    Tree.prototype.put = put
  }
  await refusedThenReplayed(t, db, location)
})

async function refusedThenReplayed (t: test.Test, db: Awaited<ReturnType<typeof openBytes>>, location: string): Promise<void> {
  t.is(await codeOf(db.get(enc('a'))), 'LEVEL_IO_ERROR', 'reads are refused')
  t.is(await codeOf(db.put(enc('c'), enc('3'))), 'LEVEL_IO_ERROR', 'writes are refused')
  t.is(await codeOf(db.root()), 'LEVEL_IO_ERROR', 'roots are refused')
  t.same(await rejectionCodes(db.close()), ['LEVEL_DATABASE_NOT_CLOSED', 'LEVEL_IO_ERROR'], 'close releases the database and reports the earlier failure')
  db = await openBytes(location)
  t.same(toHex(await db.get(enc('b')) as Uint8Array), toHex(enc('2')), 'the logged batch is there after reopening')
  t.same(toHex(await db.get(enc('a')) as Uint8Array), toHex(enc('1')))
  t.is(await db.get(enc('c')), undefined, 'the refused write is not')
  await db.close()
}
