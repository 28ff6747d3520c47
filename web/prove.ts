/**
 * The proof of one key: asks `/v1/prove`, then verifies the proof in the
 * page with merkle-level/verify against the root the user pasted, or the
 * root served with the proof, and says plainly whether it holds. The key
 * and value shown are those the verifier returned, never the raw answer.
 */
import { proofFromJson, verifyProof, encodeProof } from '../verify'
import type { ProofJson } from '../verify'
import type { Api } from './api'
import { ApiError } from './api'
import { toHex } from './bytes'
import type { Shown } from './display'
import { renderBytes } from './display'
import { appendFact, byId, setVerdict } from './dom'

interface ProveAnswer { root: string, seq: number, count: number, proof: ProofJson }

/** Proves and verifies `key`, showing the verdict and the facts. */
export async function proveKey (api: Api, key: Uint8Array, trustedText: string, shown: Shown): Promise<void> {
  const verdict = byId('verdict')
  const facts = byId('proof-facts')
  facts.replaceChildren()
  const trusted = trustedText.trim().toLowerCase()
  if (trusted !== '' && !/^[0-9a-f]{64}$/.test(trusted)) {
    setVerdict(verdict, 'refused', 'A root is 64 hexadecimal digits: the trusted root given is not one.')
    return
  }
  setVerdict(verdict, 'pending', 'Asking for the proof…')
  let answer: ProveAnswer
  try {
    answer = await fetchProof(api, key, trusted)
  } catch (err) {
    setVerdict(verdict, 'refused', `No proof: ${describe(err)}`)
    return
  }
  const root = trusted === '' ? answer.root : trusted
  const against = trusted === '' ? 'the root served with it' : 'your trusted root'
  appendFact(facts, 'key', renderBytes(key, shown))
  appendFact(facts, 'checked against', `${against}, ${root}`, 'proof-root')
  if (trusted !== '' && answer.root !== trusted) appendFact(facts, 'served root', answer.root)
  try {
    const proof = proofFromJson(answer.proof)
    const fact = verifyProof(root, proof)
    // A valid proof of another key proves nothing about this one.
    if (toHex(fact.key) !== toHex(key)) throw Object.assign(new Error('The proof is for another key'), { code: 'LEVEL_INVALID_PROOF' })
    appendFact(facts, 'proof', `${encodeProof(proof).length} bytes, ${proof.nodes.length} nodes, path of ${pathLength(proof.nodes)}; ${fact.count} entries in that state`)
    if (fact.present) {
      appendFact(facts, 'value', renderBytes(fact.value as Uint8Array, shown), 'proof-value')
      setVerdict(verdict, 'verified', `VERIFIED: the key is present, with the value shown, in the state with root ${root}.`)
    } else {
      setVerdict(verdict, 'verified', `VERIFIED: the key is absent from the state with root ${root}.`)
    }
  } catch (err) {
    setVerdict(verdict, 'refused', `REFUSED: the proof does not verify against ${against} ${root}. ${describe(err)}`)
  }
}

// With a trusted root, the proof of that state if the server still holds it, else of the current one.
async function fetchProof (api: Api, key: Uint8Array, trusted: string): Promise<ProveAnswer> {
  if (trusted !== '') {
    try {
      return await api.get<ProveAnswer>(`../prove?key=${toHex(key)}&root=${trusted}`)
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'REPLICATION_ROOT_GONE') throw err
    }
  }
  return await api.get<ProveAnswer>(`../prove?key=${toHex(key)}`)
}

// The nodes with a key: the path from the top to the key, or to where it would be.
function pathLength (nodes: ReadonlyArray<{ type: string }>): number {
  return nodes.filter(n => n.type === 'entry' || n.type === 'path').length
}

/** An error in one line: its code, if any, and message. */
export function describe (err: unknown): string {
  const code = (err as { code?: unknown }).code
  const message = err instanceof Error ? err.message : String(err)
  return typeof code === 'string' ? `${code}: ${message}` : message
}
