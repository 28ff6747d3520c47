/**
 * `merkle-level replicate <url> <dir>`: brings the replica in `dir` to the
 * state the server at `url` holds (docs/REPLICATION.md §7), by the change
 * feed when it can, else by a full copy by ranges, every byte verified.
 * A refused answer (a proof that does not verify, a root other than the one
 * required) is "no" (exit 1); the replica stays at its last verified state.
 * With --follow it then keeps the replica current (replicate-follow.ts).
 */
import type { Command } from 'commander'
import { replicate } from '../../replica/replicate'
import { ExitCode, UsageError } from '../exit-codes'
import { tokenOf } from '../token'
import { followUntilInterrupted } from './replicate-follow'

interface ReplicateFlags {
  root?: string
  tokenFile?: string
  follow?: boolean
  waitMs?: string
}

// Codes that mean the server's answer was checked and refused.
const REFUSALS = ['LEVEL_INVALID_PROOF', 'LEVEL_PROOF_ROOT_MISMATCH', 'REPLICA_ROOT_MISMATCH', 'REPLICA_BAD_RESPONSE', 'REPLICA_NODE_MISMATCH']

const HOW = { full: 'copied in full', feed: 'caught up by the feed', diff: 'caught up by diff', current: 'already current' } as const

/** Registers the command. */
export function registerReplicate (program: Command, done: (code: number) => void): void {
  program.command('replicate')
    .description('bring a replica up to date with a server, verifying every answer (docs/REPLICATION.md)')
    .argument('<url>', 'the server (as `serve` prints it)')
    .argument('<dir>', 'replica directory (created if missing)')
    .option('--root <hex>', 'the root the replica must reach: refused when the server holds another state')
    .option('--token-file <file>', 'send this bearer token (the file\'s contents, surrounding whitespace removed); default: $MERKLE_LEVEL_TOKEN')
    .option('--follow', 'then keep the replica current, following the server\'s feed, until SIGINT or SIGTERM (exit 0)')
    .option('--wait-ms <ms>', 'with --follow: how long one long poll of the feed waits for a commit (default 20000)')
    .action(async (url: string, dir: string, flags: ReplicateFlags) => {
      if (!/^https?:\/\//i.test(url)) throw new UsageError(`${url} is not an http:// or https:// URL`)
      if (flags.root !== undefined && !/^[0-9a-fA-F]{64}$/.test(flags.root)) throw new UsageError('--root must be 64 hexadecimal digits')
      if (flags.follow === true && flags.root !== undefined) throw new UsageError('--root and --follow do not go together: a followed replica moves on')
      if (flags.waitMs !== undefined && (flags.follow !== true || !/^[0-9]{1,9}$/.test(flags.waitMs))) throw new UsageError('--wait-ms goes with --follow and is a number of milliseconds')
      const token = tokenOf(flags.tokenFile)
      try {
        if (flags.follow === true) {
          await followUntilInterrupted({ url, dir, token, waitMs: flags.waitMs === undefined ? undefined : Number(flags.waitMs) })
          return done(ExitCode.ok)
        }
        const result = await replicate(url, dir, { token, root: flags.root })
        const how = HOW[result.how]
        process.stdout.write(`${dir} at root ${result.root}, seq ${result.seq} (${how})\n`)
        done(ExitCode.ok)
      } catch (err) {
        const code = (err as { code?: unknown }).code
        if (typeof code !== 'string' || !REFUSALS.includes(code)) throw err
        process.stderr.write(`merkle-level: refused (${code}): ${(err as Error).message}\n`)
        done(ExitCode.no)
      }
    })
}
