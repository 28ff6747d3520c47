/**
 * A replica's full copy builds its base image from the entries of verified
 * range pages, taking the hashes verification computed instead of hashing
 * again (lib/image/sorted-image.ts). Model-based: random entries and salts,
 * served in random page sizes; the image must hold exactly the entries, its
 * header the naive root, every stored hash must check, and a database
 * opened on it must have that root. An entry whose stated child hashes are
 * not those of the children the build made, or a root other than the one
 * expected, publishes nothing.
 */
import test from 'tape'
import fc from 'fast-check'
import { readdirSync } from 'node:fs'
import { MerkleLevel } from '../../index'
import { compareBytes, toHex } from '../../lib/bytes'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { SortedImageBuilder } from '../../lib/image/sorted-image'
import type { ImageTarget } from '../../lib/image/write-image'
import { nodeCryptoHashing } from '../../lib/tree/node-crypto-hashes'
import type { TreeParams } from '../../lib/tree/params'
import { verifyRangeProofHashed } from '../../lib/tree/verify-proof'
import type { HashedEntry } from '../../lib/tree/verify-proof'
import { encodeIdentity, newIdentity } from '../../lib/store/identity'
import { naiveRoot } from '../util/naive-root'
import { tempLocation } from '../util/temp'

const key = fc.uint8Array({ minLength: 1, maxLength: 3 })
const value = fc.uint8Array({ minLength: 0, maxLength: 30 })

// A primary holding `entries`; its root and its verified pages of `size` entries each.
async function pagesOf (entries: Array<[Uint8Array, Uint8Array]>, salt: Uint8Array, size: number): Promise<{ root: Uint8Array, pages: HashedEntry[][] }> {
  const db = new MerkleLevel<Uint8Array, Uint8Array>(tempLocation('primary'), { salt, keyEncoding: 'view', valueEncoding: 'view' })
  await db.batch(entries.map(([k, v]) => ({ type: 'put' as const, key: k, value: v })))
  const root = await db.root()
  const pages: HashedEntry[][] = []
  let after: Uint8Array | undefined
  for (;;) {
    const proof = await db.proveRange(after === undefined ? { limit: size } : { gt: after, limit: size })
    const page = verifyRangeProofHashed(nodeCryptoHashing, root, proof).entries
    pages.push(page)
    if (page.length < size) break
    after = page[page.length - 1].key
  }
  await db.close()
  return { root, pages }
}

async function target (params: TreeParams): Promise<ImageTarget> {
  const directory = tempLocation('sorted')
  await nodeFileSystem.mkdir(directory)
  return { fs: nodeFileSystem, directory, name: 'snapshot-00000000000000000000.mls', tempName: 'build.tmp', identity: encodeIdentity(newIdentity(params)), seq: 0, kind: 'base', chain: [] }
}

test('sorted image: the base image built from verified pages is the tree of the entries', async t => {
  let runs = 0
  await fc.assert(fc.asyncProperty(
    fc.uniqueArray(fc.tuple(key, value), { maxLength: 120, selector: ([k]) => toHex(k) }),
    fc.uint8Array({ maxLength: 4 }),
    fc.integer({ min: 1, max: 9 }),
    async (unsorted, salt, size) => {
      runs++
      const entries = [...unsorted].sort((a, b) => compareBytes(a[0], b[0]))
      const { root, pages } = await pagesOf(entries, salt, size)
      const params = { salt }
      const spec = await target(params)
      const builder = await SortedImageBuilder.create(spec, params)
      for (const page of pages) await builder.add(page)
      const { written } = await builder.finish(root)
      const db = new MerkleLevel<Uint8Array, Uint8Array>(spec.directory, { keyEncoding: 'view', valueEncoding: 'view', cacheBytes: 4096 })
      await db.open()
      const got = (await db.iterator().all()).map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
      const report = await db.check()
      const reopened = toHex(await db.root())
      await db.close()
      const ok = written !== null &&
        toHex(written.header.root) === naiveRoot(entries, salt).toString('hex') &&
        written.header.count === entries.length && written.nodes === entries.length &&
        reopened === toHex(root) && report.ok &&
        JSON.stringify(got) === JSON.stringify(entries.map(([k, v]) => `${toHex(k)}=${toHex(v)}`))
      if (!ok) t.fail(`${entries.length} entries in pages of ${size}: root ${reopened}, check ${report.ok ? 'ok' : 'failed'}`)
      return ok
    }
  ), { numRuns: 60 })
  t.pass(`${runs} sets of entries: each image holds them, with the naive root, and checks`)
})

test('sorted image: a stated child hash that is not the built child\'s stops the build', async t => {
  const entries = Array.from({ length: 40 }, (_, i): [Uint8Array, Uint8Array] => [Uint8Array.of(i), Uint8Array.of(i, i)])
  const { root, pages } = await pagesOf(entries, new Uint8Array(0), 40)
  const page = pages[0]
  // An entry with a left child: its stated left hash altered.
  const victim = page.find(e => e.leftHash.some(b => b !== 0)) as HashedEntry
  victim.leftHash = victim.leftHash.slice()
  victim.leftHash[0] ^= 1
  const spec = await target({ salt: new Uint8Array(0) })
  const builder = await SortedImageBuilder.create(spec, { salt: new Uint8Array(0) })
  let message = ''
  try {
    await builder.add(page)
    await builder.finish(root)
  } catch (err) {
    message = (err as Error).message
  }
  await builder.abandon()
  t.equal(message, 'A sorted build made another tree than the one verified')
  t.deepEqual(readdirSync(spec.directory), [], 'no file is left')
})

test('sorted image: another root than expected publishes nothing', async t => {
  const entries = Array.from({ length: 10 }, (_, i): [Uint8Array, Uint8Array] => [Uint8Array.of(i), Uint8Array.of(i)])
  const { root, pages } = await pagesOf(entries, new Uint8Array(0), 4)
  const spec = await target({ salt: new Uint8Array(0) })
  const builder = await SortedImageBuilder.create(spec, { salt: new Uint8Array(0) })
  for (const page of pages) await builder.add(page)
  const other = root.slice()
  other[0] ^= 1
  const result = await builder.finish(other)
  t.deepEqual([toHex(result.root), result.written], [toHex(root), null], 'the root built, and nothing written')
  t.deepEqual(readdirSync(spec.directory), [], 'no file is left')
})
