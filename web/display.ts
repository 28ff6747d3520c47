/**
 * Keys and values as DOM nodes, in the form the user picks: utf8, hex or
 * JSON. Everything goes in as text nodes (never markup), so a value holding
 * `<script>` is shown, not run. Bytes that do not read as the form asked are
 * shown as escapes, marked: control characters, bidirectional overrides
 * (which could disguise a key), and values that are not utf8 or not JSON.
 */

import { toHex } from './bytes'

/** The forms a byte string can be shown in. */
export type Shown = 'utf8' | 'hex' | 'json'

/** Bytes shown at most; the rest is counted. */
const SHOWN_BYTES = 256

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// C0 and C1 controls, DEL, and the characters that reorder text around them.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu // eslint-disable-line no-control-regex -- these are the point

/** `bytes` in form `shown`, as a fragment of text nodes and marked spans. */
export function renderBytes (bytes: Uint8Array, shown: Shown): DocumentFragment {
  const fragment = document.createDocumentFragment()
  const cut = bytes.length > SHOWN_BYTES
  const head = cut ? bytes.subarray(0, SHOWN_BYTES) : bytes
  if (shown === 'hex') {
    fragment.append(toHex(head))
  } else {
    const text = utf8Of(bytes)
    if (text === null) {
      fragment.append(marked('not utf8:', 'unprintable'), ' ', toHex(head))
    } else if (shown === 'json') {
      const json = jsonOf(text)
      if (json === null) fragment.append(marked('not JSON:', 'not-json'), ' ')
      appendEscaped(fragment, clip(json ?? text))
    } else {
      appendEscaped(fragment, clip(text))
    }
  }
  if (cut) fragment.append(marked(` … (${bytes.length} bytes in all)`, 'quiet'))
  return fragment
}

function utf8Of (bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return null
  }
}

// Compact JSON, or null when the text is not JSON.
function jsonOf (text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text))
  } catch {
    return null
  }
}

function clip (text: string): string {
  return text.length > SHOWN_BYTES ? text.slice(0, SHOWN_BYTES) : text
}

// The text, with each unprintable character replaced by a marked escape.
function appendEscaped (parent: DocumentFragment, text: string): void {
  let from = 0
  for (const match of text.matchAll(UNPRINTABLE)) {
    const at = match.index
    if (at > from) parent.append(text.slice(from, at))
    const code = match[0].codePointAt(0) as number
    parent.append(marked(code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`, 'unprintable'))
    from = at + match[0].length
  }
  if (from < text.length) parent.append(text.slice(from))
}

function marked (text: string, className: string): HTMLSpanElement {
  const span = document.createElement('span')
  span.className = className
  span.textContent = text
  return span
}
