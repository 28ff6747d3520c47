/**
 * `merkle-level verify-proof <root> <proof-file>`: checks a proof against a
 * root with the standalone verifier (merkle-level/verify), no database
 * needed. Prints what the proof proves; exit 1 when it does not hold.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { decodeProof, proofFromJson, verifyProof, verifyRangeProof } from '../../../verify'
import type { Proof } from '../../../verify'
import { encodeBytes, parseEncoding } from '../encodings'
import type { CliEncoding } from '../encodings'
import { ExitCode, UsageError } from '../exit-codes'
import { outputTo } from '../output'

interface VerifyProofFlags {
  keyEncoding: string
  valueEncoding: string
}

/** Registers the command. */
export function registerVerifyProof (program: Command, done: (code: number) => void): void {
  program.command('verify-proof')
    .description('check a proof (JSON or binary file, - for standard input) against a root; exit 1 when it does not hold')
    .argument('<root>', 'the root, 64 hexadecimal digits')
    .argument('<proof-file>', 'the proof as `prove` writes it')
    .option('-k, --key-encoding <encoding>', 'how to show keys: utf8, hex, base64 or json', 'utf8')
    .option('-v, --value-encoding <encoding>', 'how to show values: utf8, hex, base64 or json', 'utf8')
    .action(async (root: string, file: string, flags: VerifyProofFlags) => {
      const keys = parseEncoding(flags.keyEncoding)
      const values = parseEncoding(flags.valueEncoding)
      if (!/^[0-9a-fA-F]{64}$/.test(root)) throw new UsageError('the root must be 64 hexadecimal digits')
      const bytes = readProofFile(file)
      const out = outputTo()
      let proof: Proof
      let result: object
      try {
        proof = parseProof(bytes)
        result = proof.kind === 'key' ? showKey(verifyProof(root, proof), keys, values) : showRange(verifyRangeProof(root, proof), keys, values)
      } catch (err) {
        const code = (err as { code?: unknown }).code
        if (code !== 'LEVEL_INVALID_PROOF' && code !== 'LEVEL_PROOF_ROOT_MISMATCH') throw err
        await out.json({ valid: false, code, reason: (err as Error).message })
        return done(ExitCode.no)
      }
      await out.json({ valid: true, ...result })
      done(ExitCode.ok)
    })
}

// A proof file that cannot be read is a bad argument (exit 2), named.
function readProofFile (file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file === '-' ? 0 : file))
  } catch (err) {
    throw new UsageError(`cannot read the proof ${file === '-' ? 'from standard input' : `file ${file}`}: ${(err as Error).message}`)
  }
}

// JSON text starts with '{' (after blanks); anything else is the binary encoding.
function parseProof (bytes: Uint8Array): Proof {
  const first = bytes.find(b => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
  if (first !== 0x7b) return decodeProof(bytes)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return decodeProof(bytes)
  }
  return proofFromJson(json)
}

function showKey (r: ReturnType<typeof verifyProof>, keys: CliEncoding, values: CliEncoding): object {
  const key = encodeBytes(r.key, keys, 'The key')
  return r.present
    ? { kind: 'key', key, present: true, value: encodeBytes(r.value, values, 'The value'), count: r.count }
    : { kind: 'key', key, present: false, count: r.count }
}

function showRange (r: ReturnType<typeof verifyRangeProof>, keys: CliEncoding, values: CliEncoding): object {
  return {
    kind: 'range',
    entries: r.entries.map((e, i) => ({ key: encodeBytes(e.key, keys, `Key ${i}`), value: encodeBytes(e.value, values, `Value ${i}`) })),
    count: r.count
  }
}
