/**
 * `merkle-level replicate <url> <dir> --follow`: after reaching the server's
 * state, keeps the replica current (lib/replica/follow.ts) until SIGINT or
 * SIGTERM, then stops cleanly and exits 0. Standard output gets a line for
 * the first state, for each full copy, and for the state it stopped at;
 * standard error a line for each failure it waits out.
 */
import { follow } from '../../replica/follow'
import type { FollowState } from '../../replica/follow'

/** What to follow and how. */
export interface FollowFlags {
  url: string
  dir: string
  token?: string
  waitMs?: number
}

/** Follows until interrupted; resolves once stopped (rejects with what stopped it otherwise). */
export async function followUntilInterrupted ({ url, dir, token, waitMs }: FollowFlags): Promise<void> {
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const line = (state: FollowState, how: string): void => { process.stdout.write(`${dir} at root ${state.root}, seq ${state.seq} (${how})\n`) }
  let first = true
  try {
    const last = await follow(url, dir, {
      token,
      waitMs,
      signal: controller.signal,
      onState: state => {
        if (first || state.how === 'full') line(state, state.how === 'full' ? 'copied in full' : state.how === 'feed' ? 'caught up by the feed' : 'already current')
        first = false
      },
      onRetry: (err, delay) => {
        const code = (err as { code?: unknown }).code
        process.stderr.write(`merkle-level: ${String(code)}: ${err.message}; retrying in ${delay} ms\n`)
      }
    })
    if (last !== null) line(last, 'stopped')
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
