/**
 * The depth chart: one bar per entry of the page shown, its height the
 * entry's depth in the tree (the length of its inclusion proof's path), as
 * inline SVG built node by node. Labels are text nodes.
 */
import type { Proof } from '../verify'

const SVG = 'http://www.w3.org/2000/svg'

/** A bar: what its tooltip names, and the depth. */
export interface Bar {
  label: string
  depth: number
}

/**
 * The depth of each entry shown in a verified proof, by key (hex): the
 * proof's nodes are the pruned tree in pre-order, the top at depth 1.
 */
export function entryDepths (proof: Proof, toHex: (bytes: Uint8Array) => string): Map<string, number> {
  const depths = new Map<string, number>()
  // Pre-order with explicit depths: a node with a key has two subtrees after it.
  const pending: number[] = [1]
  for (const node of proof.nodes) {
    const depth = pending.pop() as number
    if (node.type === 'entry' || node.type === 'path') {
      if (node.type === 'entry') depths.set(toHex(node.key), depth)
      pending.push(depth + 1, depth + 1)
    }
  }
  return depths
}

/** The chart of `bars`, in page order. */
export function depthChart (bars: readonly Bar[]): SVGSVGElement {
  const height = 120
  const barWidth = 14
  const left = 28
  // Room for the axis label under a short page.
  const width = Math.max(200, left + bars.length * barWidth + 8)
  const deepest = Math.max(1, ...bars.map(b => b.depth))
  const svg = element('svg', { viewBox: `0 0 ${width} ${height + 20}`, width: String(width), height: String(height + 20), role: 'img' })
  const title = element('title', {})
  title.textContent = `Depths from 1 to ${deepest}`
  svg.append(title)
  svg.append(element('line', { class: 'axis', x1: String(left - 4), y1: String(height), x2: String(width), y2: String(height) }))
  svg.append(label(String(deepest), left - 8, 10), label('0', left - 8, height))
  bars.forEach((bar, i) => {
    const h = Math.max(1, Math.round(bar.depth / deepest * (height - 10)))
    const rect = element('rect', {
      class: bar.depth === deepest ? 'bar deepest' : 'bar',
      x: String(left + i * barWidth + 1),
      y: String(height - h),
      width: String(barWidth - 3),
      height: String(h)
    })
    const tip = element('title', {})
    tip.textContent = `${bar.label}: depth ${bar.depth}`
    rect.append(tip)
    svg.append(rect)
  })
  svg.append(label('keys of this page, in order →', left, height + 15, 'start'))
  return svg
}

function label (text: string, x: number, y: number, anchor = 'end'): SVGTextElement {
  const node = element('text', { x: String(x), y: String(y), 'text-anchor': anchor })
  node.textContent = text
  return node
}

function element<K extends keyof SVGElementTagNameMap> (name: K, attributes: Record<string, string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value)
  return node
}
