/**
 * The "Look inside" page (served at /v1/look/ by the replication endpoint):
 * the overview, following the root live with long polls of
 * `/v1/overview?since=…&wait=…`; the key browser; the proof of one key. It
 * only reads (GET), and puts every key and value in the page as text.
 */
import { Api, ApiError } from './api'
import { KeyBrowser } from './browse'
import { typedKey } from './bytes'
import type { KeyInput } from './bytes'
import type { Shown } from './display'
import { appendFact, byId, setVerdict } from './dom'
import { overviewFacts } from './overview'
import type { Overview } from './overview'
import { describe, proveKey } from './prove'

// The longest wait asked for: under the server's maxWaitMs, and under what proxies usually allow.
const WAIT_MS = 25000
const RETRY_MS = 2000

const api = new Api()
let following = 0
let waitMs = WAIT_MS

const shown = (): Shown => byId<HTMLSelectElement>('show').value as Shown

const browser = new KeyBrowser({
  api,
  shown,
  prove: keyHex => {
    byId<HTMLInputElement>('prove-key').value = keyHex
    byId<HTMLSelectElement>('prove-encoding').value = 'hex'
    byId('proof-section').scrollIntoView({ block: 'nearest' })
    void prove()
  }
})

function status (text: string): void {
  byId('status').textContent = text
}

function renderOverview (o: Overview): void {
  const list = byId('overview')
  list.replaceChildren()
  for (const [id, label, text] of overviewFacts(o)) appendFact(list, label, text, `ov-${id}`)
  for (const id of ['ov-root', 'ov-salt']) byId(id).classList.add('mono')
  byId('overview').dataset.seq = String(o.seq)
}

function live (on: boolean): void {
  byId('live').classList.toggle('on', on)
  byId('live').textContent = on ? 'live' : 'not live'
}

// Reads the overview, then waits for each commit after it, until the token is needed or a newer loop starts.
async function follow (): Promise<void> {
  const run = ++following
  let seq: number | null = null
  for (;;) {
    if (run !== following) return
    try {
      const o: Overview = await api.get<Overview>(seq === null ? '../overview' : `../overview?since=${seq}&wait=${waitMs}`)
      if (run !== following) return
      renderOverview(o)
      waitMs = Math.min(WAIT_MS, o.limits.maxWaitMs)
      browser.maxPage = o.limits.maxRangeEntries
      seq = o.seq
      live(true)
      status('')
    } catch (err) {
      live(false)
      if (err instanceof ApiError && err.status === 401) return
      status(`The overview could not be read: ${describe(err)}`)
      seq = null
      await new Promise(resolve => setTimeout(resolve, RETRY_MS))
    }
  }
}

async function prove (): Promise<void> {
  const encoding = byId<HTMLSelectElement>('prove-encoding').value as KeyInput
  let key: Uint8Array
  try {
    key = typedKey(byId<HTMLInputElement>('prove-key').value, encoding)
  } catch (err) {
    byId('proof-facts').replaceChildren()
    setVerdict(byId('verdict'), 'refused', `Not a key: ${describe(err)}`)
    return
  }
  await proveKey(api, key, byId<HTMLInputElement>('trusted-root').value, shown())
}

function start (): void {
  void follow()
  void browser.show()
}

api.onUnauthorized = () => {
  byId('token-form').hidden = false
  status('This server requires a token.')
  byId<HTMLInputElement>('token').focus()
}

byId('token-form').addEventListener('submit', event => {
  event.preventDefault()
  api.setToken(byId<HTMLInputElement>('token').value.trim())
  byId<HTMLInputElement>('token').value = ''
  byId('token-form').hidden = true
  status('')
  start()
})
byId('browse').addEventListener('submit', event => {
  event.preventDefault()
  void browser.show()
})
byId('next').addEventListener('click', () => { void browser.next() })
byId('prev').addEventListener('click', () => { void browser.previous() })
byId('show').addEventListener('change', () => browser.redraw())
byId('prove-form').addEventListener('submit', event => {
  event.preventDefault()
  void prove()
})

start()
