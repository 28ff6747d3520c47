/**
 * The history a fault-loop run keeps (fault-loop.ts): the chain of
 * acknowledged states on the current lineage, the branches of batches the
 * fault rejected (their bytes may be in the log), and the last batch
 * acknowledged under each crash model. It judges whether a recovered state
 * is one the run allows.
 */
import type { CrashModel } from '../sim/crash-images'
import type { SortedModel } from '../model'
import { applyModel } from './workload'
import type { ModelOp } from './workload'

/** Batches rejected because of the fault, branching off the state with sequence number `base`. */
interface Branch { base: number, ops: Array<readonly ModelOp[]>, models: SortedModel[] }

/** What the run has promised so far, for the final checks. */
export class History {
  /** chain[seq]: the state after the batch with that sequence number, on the current lineage. */
  chain: SortedModel[] = []
  branches: Branch[] = []
  seq = 0
  ackedProcess = 0
  ackedPower = 0

  get current (): SortedModel {
    return this.chain[this.seq]
  }

  /** Where a successful open started from. */
  rebase (seq: number, model: SortedModel): void {
    this.chain.length = seq + 1
    this.chain[seq] = model
    this.seq = seq
    this.ackedProcess = Math.max(this.ackedProcess, seq)
  }

  ok (ops: readonly ModelOp[], synced: boolean): number {
    this.seq++
    this.chain[this.seq] = applyModel(this.chain[this.seq - 1], ops)
    this.chain.length = this.seq + 1
    this.ackedProcess = this.seq
    if (synced) this.ackedPower = this.seq
    return this.seq
  }

  durable (seq: number): void {
    this.ackedPower = Math.max(this.ackedPower, seq)
    this.ackedProcess = Math.max(this.ackedProcess, seq)
  }

  /** A batch rejected because of the fault: it may still be in the log, after the current state. */
  rejected (ops: readonly ModelOp[]): void {
    let branch = this.branches[this.branches.length - 1]
    if (branch === undefined || branch.base !== this.seq || !this.#open.has(branch)) {
      branch = { base: this.seq, ops: [], models: [] }
      this.branches.push(branch)
      this.#open.add(branch)
    }
    branch.ops.push(ops)
    branch.models.push(applyModel(branch.models[branch.models.length - 1] ?? this.current, ops))
  }

  /** No later rejection continues the branches made so far (a reopen happened). */
  closeBranches (): void {
    this.#open.clear()
  }

  readonly #open = new Set<Branch>()

  /** Why a recovered (seq, contents) is not allowed under `model`, or null. */
  judge (seq: number, contents: string, crash: CrashModel): string | null {
    const floor = crash === 'process' ? this.ackedProcess : this.ackedPower
    const chain = this.chain[seq]
    if (seq >= floor && chain !== undefined && render(chain) === contents) return null
    for (const b of this.branches) {
      const m = b.models[seq - b.base - 1]
      if (b.base >= floor && m !== undefined && render(m) === contents) return null
    }
    return `recovered ${seq} batches (${clip(contents)}), not a state the history allows (acknowledged up to ${floor}, chain up to ${this.chain.length - 1}, ${this.branches.length} failed branches)`
  }
}

export function render (model: SortedModel): string {
  const dec = new TextDecoder()
  return JSON.stringify(model.entries().map(([k, v]) => [dec.decode(k), dec.decode(v)]))
}

export function clip (s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '…' : s
}

// The model for a state the history allows (found by its contents).
export function modelOf (history: History, seq: number, contents: string): SortedModel {
  const chain = history.chain[seq]
  if (chain !== undefined && render(chain) === contents) return chain
  for (const b of history.branches) {
    const m = b.models[seq - b.base - 1]
    if (m !== undefined && render(m) === contents) return m
  }
  throw new Error('no model for an allowed state')
}
