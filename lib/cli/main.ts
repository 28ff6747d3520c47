#!/usr/bin/env node
/**
 * `merkle-level`: the command-line tool. Each command lives in its own file
 * under commands/; this file assembles them, runs one, and turns the outcome
 * into an exit code (exit-codes.ts; docs/CLI.md lists them).
 */
import { Command, CommanderError } from 'commander'
import { registerCheckpoint } from './commands/checkpoint'
import { registerDump } from './commands/dump'
import { registerExport } from './commands/export'
import { registerGet } from './commands/get'
import { registerImport } from './commands/import'
import { registerInfo } from './commands/info'
import { registerProve } from './commands/prove'
import { registerRepair } from './commands/repair'
import { registerReplicate } from './commands/replicate'
import { registerRoot } from './commands/root'
import { registerServe } from './commands/serve'
import { registerVerify } from './commands/verify'
import { registerVerifyProof } from './commands/verify-proof'
import { ExitCode, exitCodeOf } from './exit-codes'

// The package's own version, from package.json two directories above dist/lib/cli.
const { version } = require('../../../package.json') as { version: string }

/** Builds the program; `done` receives each command's exit code. */
export function program (done: (code: number) => void): Command {
  const cli = new Command('merkle-level')
    .description('Inspect, check, repair and move the data of merkle-level databases.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  for (const register of [registerInfo, registerVerify, registerDump, registerGet, registerRoot, registerProve, registerVerifyProof, registerCheckpoint, registerExport, registerImport, registerRepair, registerServe, registerReplicate]) {
    register(cli, done)
  }
  // Subcommands throw instead of exiting too, so that main() decides the exit code.
  for (const command of cli.commands) command.exitOverride()
  return cli
}

/** Runs the command line in `argv` and resolves with the exit code. */
export async function main (argv: string[]): Promise<number> {
  let code: number = ExitCode.ok
  try {
    await program(c => { code = c }).parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; everything else commander reports is a usage error.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage
    }
    code = exitCodeOf(err)
    process.stderr.write(`merkle-level: ${describe(err)}\n`)
  }
  return code
}

function describe (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  let text = err.message
  // A cause whose message the text already holds (some errors repeat their cause's) adds nothing.
  for (let e: unknown = err.cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!text.includes(e.message)) text += `: ${e.message}`
  }
  return text
}

if (require.main === module) {
  // A failure outside the awaited path must not exit 1 (which means "no") with a stack trace.
  process.on('uncaughtException', err => {
    process.stderr.write(`merkle-level: ${describe(err)}\n`)
    process.exit(ExitCode.failed)
  })
  main(process.argv).then(code => { process.exitCode = code }, err => {
    process.stderr.write(`merkle-level: ${String(err)}\n`)
    process.exitCode = ExitCode.failed
  })
}
