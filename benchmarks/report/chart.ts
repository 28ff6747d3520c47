/**
 * The chart of RESULTS.md, drawn as SVG by hand (no dependency): for each
 * throughput figure that classic-level also has, a bar per store showing
 * its throughput relative to classic-level's, on a log scale centred on
 * 1x (classic-level itself is the vertical line). Bars to the right are
 * faster than classic-level, to the left slower.
 */
import { METRICS } from '../catalog'
import { medianOf } from '../results'
import type { RunResults } from '../results'
import { formatRatio, ratio } from './format'

interface Group {
  label: string
  bars: Array<{ store: string, ratio: number }>
}

const COLORS: Record<string, string> = { 'merkle-level': '#2b6cb0', 'memory-level': '#a0aec0' }
const WIDTH = 960
const LABEL_WIDTH = 360
const PLOT_LEFT = LABEL_WIDTH + 20
const PLOT_WIDTH = WIDTH - PLOT_LEFT - 70
const BAR = 13
const GROUP_GAP = 12
const TOP = 76

function groups (results: RunResults): Group[] {
  const found: Group[] = []
  for (const metric of METRICS) {
    if (metric.better !== 'higher') continue
    const classic = medianOf(results, 'classic-level', metric.id)
    if (classic === undefined) continue
    const bars: Group['bars'] = []
    for (const store of ['merkle-level', 'memory-level'] as const) {
      const value = ratio(medianOf(results, store, metric.id), classic)
      if (value !== undefined && value > 0) bars.push({ store, ratio: value })
    }
    if (bars.length > 0) found.push({ label: metric.label, bars })
  }
  return found
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Powers of two spanning every ratio with room for its label, and 1 inside. */
function axis (ratios: number[]): { min: number, max: number, ticks: number[] } {
  const low = Math.min(0, Math.floor(Math.log2(Math.min(...ratios)) - 0.5))
  const high = Math.max(0, Math.ceil(Math.log2(Math.max(...ratios)) + 0.5))
  const min = Math.min(low, -1)
  const max = Math.max(high, 1)
  const step = Math.max(1, Math.ceil((max - min) / 12))
  const ticks: number[] = []
  for (let e = 0; e >= min; e -= step) ticks.unshift(e)
  for (let e = step; e <= max; e += step) ticks.push(e)
  return { min, max, ticks }
}

const tickLabel = (exponent: number): string => exponent >= 0 ? `${2 ** exponent}x` : `1/${2 ** -exponent}x`

/** The SVG chart of `results`; null when no figure has a classic-level counterpart. */
export function renderChart (results: RunResults): string | null {
  const data = groups(results)
  if (data.length === 0) return null
  const { min, max, ticks } = axis(data.flatMap(g => g.bars.map(b => b.ratio)))
  const x = (value: number): number => PLOT_LEFT + (Math.log2(value) - min) / (max - min) * PLOT_WIDTH
  const groupHeight = (bars: number): number => bars * BAR + GROUP_GAP
  const height = TOP + data.reduce((sum, g) => sum + groupHeight(g.bars.length), 0) + 40

  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`)
  out.push(`<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">Throughput relative to classic-level (log scale; right of the line is faster)</text>`)
  out.push(`<text x="${WIDTH / 2}" y="38" text-anchor="middle" fill="#4a5568">${escape(`${results.command} — ${results.date}`)}</text>`)
  legend(out, TOP - 16)
  for (const tick of ticks) {
    const tx = x(2 ** tick)
    out.push(`<line x1="${tx}" y1="${TOP}" x2="${tx}" y2="${height - 30}" stroke="${tick === 0 ? '#1a202c' : '#e2e8f0'}" stroke-width="${tick === 0 ? 2 : 1}"/>`)
    out.push(`<text x="${tx}" y="${height - 14}" text-anchor="middle" fill="#4a5568">${tickLabel(tick)}</text>`)
  }
  let y = TOP
  for (const group of data) {
    const middle = y + group.bars.length * BAR / 2
    out.push(`<text x="${LABEL_WIDTH}" y="${middle + 4}" text-anchor="end">${escape(group.label)}</text>`)
    group.bars.forEach((bar, i) => {
      const top = y + i * BAR
      const [from, to] = [x(1), x(bar.ratio)].sort((a, b) => a - b)
      out.push(`<rect x="${from}" y="${top + 1}" width="${Math.max(1, to - from)}" height="${BAR - 2}" fill="${COLORS[bar.store]}"><title>${bar.store}: ${formatRatio(bar.ratio)}</title></rect>`)
      const labelX = bar.ratio >= 1 ? to + 4 : from - 4
      out.push(`<text x="${labelX}" y="${top + BAR - 3}" font-size="10" text-anchor="${bar.ratio >= 1 ? 'start' : 'end'}" fill="#2d3748">${formatRatio(bar.ratio)}</text>`)
    })
    y += groupHeight(group.bars.length)
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function legend (out: string[], y: number): void {
  let x = PLOT_LEFT
  for (const [store, color] of Object.entries(COLORS)) {
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${color}"/>`)
    out.push(`<text x="${x + 16}" y="${y}">${store}</text>`)
    x += 130
  }
  out.push(`<line x1="${x}" y1="${y - 10}" x2="${x}" y2="${y + 2}" stroke="#1a202c" stroke-width="2"/>`)
  out.push(`<text x="${x + 6}" y="${y}">classic-level = 1x</text>`)
}
