/**
 * `merkle-level prove <dir> [key]`: a proof that a key holds its value, or is
 * absent; with range options instead of a key, a proof of every entry of the
 * range. Printed as JSON (or written as bytes with --binary), with the root
 * it verifies against on standard error. Read-only.
 */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { toHex } from '../../bytes'
import { proveKey, proveRange } from '../../tree/prove'
import { encodeProof, proofToJson } from '../../../verify'
import { viewForReading } from '../database'
import { keyArgument, parseEncoding } from '../encodings'
import { ExitCode, UsageError } from '../exit-codes'
import { outputTo } from '../output'
import { byteRange, hasRangeFlags, withRangeOptions } from '../range'
import type { RangeFlags } from '../range'

interface ProveFlags extends RangeFlags {
  keyEncoding: string
  output?: string
  binary?: boolean
}

/** Registers the command. */
export function registerProve (program: Command, done: (code: number) => void): void {
  const command = program.command('prove')
    .description('print a proof (JSON) that a key holds its value or is absent; with range options and no key, a proof of the whole range')
    .argument('<dir>', 'database directory')
    .argument('[key]', 'the key, in the key encoding')
    .option('-k, --key-encoding <encoding>', 'encoding of the key and range bounds: utf8, hex, base64 or json', 'utf8')
    .option('-o, --output <file>', 'write the proof to this file (it must not exist; - for standard output)')
    .option('--binary', 'the compact binary encoding instead of JSON (needs --output)')
  withRangeOptions(command).action(async (dir: string, key: string | undefined, flags: ProveFlags) => {
    const encoding = parseEncoding(flags.keyEncoding)
    if (key !== undefined && hasRangeFlags(flags)) throw new UsageError('give a key or range options, not both')
    if (key === undefined && !hasRangeFlags(flags)) throw new UsageError('give a key, or range options (--gte, --lt, …) for a range proof')
    if (flags.binary === true && flags.output === undefined) throw new UsageError('--binary needs --output')
    // Bad arguments are reported before the database is read.
    const target = key !== undefined ? keyArgument(key, encoding) : byteRange(flags, encoding)
    const { plan } = await viewForReading(dir)
    const proof = target instanceof Uint8Array ? proveKey(plan.tree, target) : proveRange(plan.tree, target)
    const out = outputTo()
    if (flags.output === '-' && flags.binary === true) {
      await new Promise<void>((resolve, reject) => process.stdout.write(encodeProof(proof), err => err != null ? reject(err) : resolve()))
    } else if (flags.output === undefined || flags.output === '-') {
      await out.json(proofToJson(proof))
    } else {
      writeFileSync(flags.output, flags.binary === true ? encodeProof(proof) : JSON.stringify(proofToJson(proof)) + '\n', { flag: 'wx' })
    }
    out.note(`root ${toHex(await plan.tree.rootAsync())}`)
    done(ExitCode.ok)
  })
}
