/**
 * A progress bar on standard error, shown only when it is a terminal (so
 * that scripts and logs never see control characters).
 */
import { SingleBar } from 'cli-progress'

/** A progress display. */
export interface Progress {
  /** Shows `done` of `total` (total 0: unknown, shown as a count). */
  update (label: string, done: number, total: number): void
  /** Removes the bar. */
  stop (): void
}

const silent: Progress = { update () {}, stop () {} }

/** A bar on a terminal, nothing otherwise (or when `quiet`). */
export function progressBar (quiet = false): Progress {
  if (quiet || process.stderr.isTTY !== true) return silent
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{label} [{bar}] {percentage}% | {value}/{total}',
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30
  })
  let running = false
  let shown = ''
  return {
    update (label, done, total) {
      const max = total > 0 ? total : Math.max(done, 1)
      if (!running || label !== shown) {
        if (running) bar.stop()
        bar.start(max, done, { label })
        running = true
        shown = label
        return
      }
      bar.setTotal(max)
      bar.update(done, { label })
    },
    stop () {
      if (running) bar.stop()
      running = false
    }
  }
}
