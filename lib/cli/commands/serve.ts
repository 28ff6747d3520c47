/**
 * `merkle-level serve <dir>`: serves a database read-only over the
 * replication protocol (docs/REPLICATION.md) until interrupted. It opens
 * the database, so nothing else may hold it; a database inside an
 * application is served by mounting `createReplicationHandler` instead.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { ListenRefused, DEFAULT_PORT, startReplicationServer } from '../../serve/server'
import { PAGE_PATH } from '../../serve/page'
import { openDatabase } from '../database'
import { ExitCode, UsageError } from '../exit-codes'
import { tokenOf } from '../token'

interface ServeFlags {
  host: string
  port: string
  tokenFile?: string
  cert?: string
  key?: string
  insecure?: boolean
  maxResponseBytes?: string
  check?: boolean
}

/** Registers the command. */
export function registerServe (program: Command, done: (code: number) => void): void {
  program.command('serve')
    .description('serve the database read-only over HTTP(S) for replicas, until interrupted (docs/REPLICATION.md)')
    .argument('<dir>', 'database directory (opened: nothing else may hold it)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--token-file <file>', 'require this bearer token (the file\'s contents, surrounding whitespace removed); default: $MERKLE_LEVEL_TOKEN')
    .option('--cert <file>', 'HTTPS: certificate chain (PEM); needs --key')
    .option('--key <file>', 'HTTPS: private key (PEM); needs --cert')
    .option('--insecure', 'allow a non-loopback --host without a token: anyone who reaches the port reads the database')
    .option('--max-response-bytes <n>', 'largest response body')
    .option('--check', 'run a full integrity check once open, while serving; the page at /v1/look/ shows its result')
    .action(async (dir: string, flags: ServeFlags) => {
      const port = integerFlag('--port', flags.port, 0, 65535) as number
      const maxResponseBytes = integerFlag('--max-response-bytes', flags.maxResponseBytes, 4096, Number.MAX_SAFE_INTEGER)
      if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together')
      const token = tokenOf(flags.tokenFile)
      const tls = flags.cert === undefined ? undefined : { cert: readFileSync(flags.cert), key: readFileSync(flags.key as string) }
      const db = await openDatabase(dir)
      let serving
      try {
        serving = await startReplicationServer(db, { host: flags.host, port, token, insecure: flags.insecure === true, tls, maxResponseBytes })
      } catch (err) {
        await db.close()
        if (err instanceof ListenRefused) throw new UsageError(err.message)
        throw err
      }
      process.stdout.write(`serving ${dir} at ${serving.url}/v1/ (root ${toHex(await db.root())}${token === undefined ? ', no token' : ''}); look inside: ${serving.url}${PAGE_PATH}\n`)
      // The check's outcome is recorded by the database (db.lastCheck) for the page; a failure to run is said here.
      if (flags.check === true) db.check().catch(err => process.stderr.write(`the integrity check failed to run: ${(err as Error).message}\n`))
      await new Promise<void>(resolve => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await serving.close()
      await db.close()
      done(ExitCode.ok)
    })
}

function integerFlag (name: string, value: string | undefined, least: number, most: number): number | undefined {
  if (value === undefined) return undefined
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < least || n > most) throw new UsageError(`${name} must be an integer from ${least} to ${most}`)
  return n
}
