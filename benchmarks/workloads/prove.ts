/**
 * Proofs, when the database offers them (db.prove is checked at run time):
 * proofs of random keys of a database of N entries, their verification
 * from the encoded bytes a third party would receive (encoding is not
 * timed), and the same for ranges of 100 entries (a tenth as many).
 */
import { join } from 'node:path'
import { encodeProof, verifyProof, verifyRangeProof } from '../../index'
import type { Figures } from '../catalog'
import { randomEntries, randomIndices } from '../data'
import { openMerkle } from '../stores'
import { now } from '../timing'
import { collectGarbage, expectMerkle, load } from './context'
import type { Suite } from './context'

const RANGE = 100

async function timed<T> (count: number, operation: (i: number) => T | Promise<T>): Promise<{ perSecond: number, results: T[] }> {
  const results = new Array<T>(count)
  const started = now()
  for (let i = 0; i < count; i++) results[i] = await operation(i)
  return { perSecond: count / ((now() - started) / 1000), results }
}

/** Proof and verification throughput, merkle-level only. */
export const prove: Suite = async (context): Promise<Figures> => {
  const { plan } = context
  const entries = randomEntries(plan.entries)
  expectMerkle(context.subject)
  const { db, merkle } = await openMerkle(join(context.dir, 'db'))
  try {
    // Proofs came after the first engine; a build without them reports n/a.
    if (typeof (merkle as { prove?: unknown }).prove !== 'function') return {}
    await load(db, entries)
    const root = await merkle.root()
    const picks = randomIndices(plan.proofs, plan.entries)
    const ranges = Math.max(1, Math.floor(plan.proofs / 10))
    await collectGarbage()

    const proofs = await timed(plan.proofs, async i => await merkle.prove(entries.keys[picks[i]]))
    const encoded = proofs.results.map(proof => encodeProof(proof))
    const verified = await timed(plan.proofs, i => verifyProof(root, encoded[i]))
    if (verified.results.some(result => !result.present)) throw new Error('A proof of a present key proved absence')
    const rangeProofs = await timed(ranges, async i => await merkle.proveRange({ gte: entries.keys[picks[i]], limit: RANGE }))
    const rangeEncoded = rangeProofs.results.map(proof => encodeProof(proof))
    const rangeVerified = await timed(ranges, i => verifyRangeProof(root, rangeEncoded[i]))
    if (rangeVerified.results.some(result => result.entries.length === 0)) throw new Error('A range proof from a present key is empty')

    const proofBytes = encoded.reduce((sum, bytes) => sum + bytes.length, 0) / plan.proofs
    return {
      prove: proofs.perSecond,
      verify: verified.perSecond,
      'proof-bytes': proofBytes,
      'prove-range': rangeProofs.perSecond,
      'verify-range': rangeVerified.perSecond
    }
  } finally {
    await db.close()
  }
}
