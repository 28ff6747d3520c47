/** Finding the page's elements by id, typed; and setting a verdict. */

/** The element with `id`, which the page must have. */
export function byId<T extends HTMLElement> (id: string): T {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`The page has no #${id}`)
  return found as T
}

/** How a check came out: verified, refused, or still running. */
export type Outcome = 'verified' | 'refused' | 'pending'

/** Shows `text` in a verdict element, coloured and tagged (`data-outcome`) by its outcome. */
export function setVerdict (element: HTMLElement, outcome: Outcome, text: string): void {
  element.className = `verdict ${outcome === 'verified' ? 'ok' : outcome === 'refused' ? 'bad' : 'pending'}`
  element.dataset.outcome = outcome
  element.textContent = text
}

/** Appends a `dt`/`dd` pair to a list of facts; the `dd` gets `id` if given. */
export function appendFact (list: HTMLElement, label: string, value: string | Node, id?: string): void {
  const dt = document.createElement('dt')
  dt.textContent = label
  const dd = document.createElement('dd')
  if (id !== undefined) dd.id = id
  dd.append(value)
  list.append(dt, dd)
}
