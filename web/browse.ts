/**
 * The key browser: pages of `/v1/range`, each with its range proof verified
 * in the page against the root served with it, then shown from what the
 * verifier returned. A prefix or a [from, up to) range filters; Next
 * continues after the last key shown, against the same root, and Previous
 * goes back to the page before.
 */
import { proofFromJson, verifyRangeProof } from '../verify'
import type { ProofJson } from '../verify'
import type { Api } from './api'
import { ApiError } from './api'
import { prefixEnd, toHex, typedKey } from './bytes'
import type { KeyInput } from './bytes'
import { depthChart, entryDepths } from './chart'
import type { Shown } from './display'
import { renderBytes } from './display'
import { byId, setVerdict } from './dom'
import { describe } from './prove'

interface RangeAnswer { root: string, seq: number, count: number, proof: ProofJson, next: string | null }

/** Where a page starts. */
type Start = { gte?: string } | { gt: string }

/** What the browser needs from the rest of the page. */
export interface BrowseHost {
  api: Api
  shown: () => Shown
  /** Shows the proof of this key (hex). */
  prove: (keyHex: string) => void
}

/** The browser's state: the query, the pages visited, and the root they are read against. */
export class KeyBrowser {
  #lt: string | undefined
  #starts: Start[] = []
  #index = 0
  #root: string | null = null
  #next: string | null = null
  #shownRows: Array<[Uint8Array, Uint8Array]> = []
  /** The most entries a page may ask for (the server's maxRangeEntries, once known). */
  maxPage = 500

  constructor (private readonly host: BrowseHost) {}

  /** Starts from the form's filter, at the current state. */
  async show (): Promise<void> {
    let bounds: { gte?: Uint8Array, lt?: Uint8Array | null }
    try {
      bounds = this.#bounds()
    } catch (err) {
      setVerdict(byId('page-verdict'), 'refused', `The filter is not a key: ${describe(err)}`)
      return
    }
    this.#lt = bounds.lt === undefined || bounds.lt === null ? undefined : toHex(bounds.lt)
    this.#starts = [bounds.gte === undefined || bounds.gte.length === 0 ? {} : { gte: toHex(bounds.gte) }]
    this.#index = 0
    this.#root = null
    await this.#load()
  }

  /** The page after this one. */
  async next (): Promise<void> {
    if (this.#next === null) return
    this.#starts = [...this.#starts.slice(0, this.#index + 1), { gt: this.#next }]
    this.#index++
    await this.#load()
  }

  /** The page before this one. */
  async previous (): Promise<void> {
    if (this.#index === 0) return
    this.#index--
    await this.#load()
  }

  /** Shows the current page again, in the form now picked. */
  redraw (): void {
    this.#render(this.#shownRows, new Map())
  }

  #bounds (): { gte?: Uint8Array, lt?: Uint8Array | null } {
    const input = byId<HTMLSelectElement>('key-input').value as KeyInput
    const mode = (document.querySelector('input[name=filter]:checked') as HTMLInputElement).value
    if (mode === 'prefix') {
      const prefix = typedKey(byId<HTMLInputElement>('prefix').value, input)
      return { gte: prefix, lt: prefixEnd(prefix) }
    }
    const gte = byId<HTMLInputElement>('gte').value
    const lt = byId<HTMLInputElement>('lt').value
    return { gte: typedKey(gte, input), lt: lt === '' ? undefined : typedKey(lt, input) }
  }

  async #load (): Promise<void> {
    const verdict = byId('page-verdict')
    setVerdict(verdict, 'pending', 'Reading…')
    const size = Math.max(1, Math.min(500, this.maxPage, Number(byId<HTMLInputElement>('page-size').value) || 20))
    let answer: RangeAnswer
    try {
      answer = await this.#fetch(size)
    } catch (err) {
      setVerdict(verdict, 'refused', `No page: ${describe(err)}`)
      return
    }
    let rows: Array<[Uint8Array, Uint8Array]>
    let depths: Map<string, number>
    try {
      const proof = proofFromJson(answer.proof)
      this.#checkQuery(proof.kind === 'range' ? proof.range : null, size)
      const fact = verifyRangeProof(answer.root, proof)
      rows = fact.entries.map(e => [e.key, e.value])
      depths = entryDepths(proof, toHex)
    } catch (err) {
      this.#render([], new Map())
      this.#next = null
      this.#buttons()
      setVerdict(verdict, 'refused', `REFUSED: this page's range proof does not verify against the root served with it, ${answer.root}. ${describe(err)}`)
      return
    }
    this.#root = answer.root
    // Continue after the last key proven, not after a key the server names.
    this.#next = answer.next === null || rows.length === 0 ? null : toHex(rows[rows.length - 1][0])
    this.#render(rows, depths)
    this.#buttons()
    const first = this.#index * size + 1
    setVerdict(verdict, 'verified', rows.length === 0
      ? `VERIFIED: no entries here, in the state with root ${answer.root} (sequence ${answer.seq}).`
      : `VERIFIED: entries ${first} to ${first + rows.length - 1} of this filter, complete and unaltered, in the state with root ${answer.root} (sequence ${answer.seq}, ${answer.count} entries).`)
  }

  // The page, against the root of the first page; when the server no longer holds that root, of the current state.
  async #fetch (size: number): Promise<RangeAnswer> {
    const params = new URLSearchParams({ ...this.#starts[this.#index], limit: String(size) })
    if (this.#lt !== undefined) params.set('lt', this.#lt)
    if (this.#root !== null) {
      try {
        return await this.host.api.get<RangeAnswer>(`../range?${params.toString()}&root=${this.#root}`)
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 'REPLICATION_ROOT_GONE') throw err
      }
    }
    return await this.host.api.get<RangeAnswer>(`../range?${params.toString()}`)
  }

  // The proof must answer the query asked, not another one the server chose.
  #checkQuery (range: { gt?: Uint8Array, gte?: Uint8Array, lt?: Uint8Array, lte?: Uint8Array, limit?: number } | null, size: number): void {
    const start = this.#starts[this.#index]
    const asked = { gt: 'gt' in start ? start.gt : undefined, gte: 'gte' in start ? start.gte : undefined, lt: this.#lt }
    const hex = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : toHex(b)
    const same = range !== null && hex(range.gt) === asked.gt && hex(range.gte) === asked.gte && hex(range.lt) === asked.lt &&
      range.lte === undefined && (range.limit ?? Infinity) <= size
    if (!same) throw Object.assign(new Error('The proof is of another range than the one asked for'), { code: 'LEVEL_INVALID_PROOF' })
  }

  #render (rows: Array<[Uint8Array, Uint8Array]>, depths: Map<string, number>): void {
    this.#shownRows = rows
    const shown = this.host.shown()
    const body = byId<HTMLTableElement>('entries').tBodies[0]
    body.replaceChildren(...rows.map(([key, value]) => {
      const tr = document.createElement('tr')
      const keyCell = document.createElement('td')
      keyCell.className = 'key'
      keyCell.append(renderBytes(key, shown))
      const valueCell = document.createElement('td')
      valueCell.className = 'value'
      valueCell.append(renderBytes(value, shown))
      const size = document.createElement('td')
      size.className = 'size'
      size.textContent = `${key.length} + ${value.length}`
      const action = document.createElement('td')
      action.className = 'action'
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'show-proof'
      button.textContent = 'Proof'
      button.addEventListener('click', () => this.host.prove(toHex(key)))
      action.append(button)
      tr.append(keyCell, valueCell, size, action)
      return tr
    }))
    if (depths.size > 0) {
      const figure = byId('depth-figure')
      const bars = rows.map(([key]) => ({ label: byteLabel(key), depth: depths.get(toHex(key)) ?? 0 }))
      byId('depth-chart').replaceChildren(depthChart(bars))
      figure.hidden = bars.length === 0
    } else if (rows.length === 0) {
      byId('depth-figure').hidden = true
    }
  }

  #buttons (): void {
    byId<HTMLButtonElement>('prev').disabled = this.#index === 0
    byId<HTMLButtonElement>('next').disabled = this.#next === null
  }
}

// A short label for a tooltip (SVG <title> holds text only).
function byteLabel (key: Uint8Array): string {
  const text = new TextDecoder().decode(key)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
