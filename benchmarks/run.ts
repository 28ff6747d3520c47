/**
 * `npm run bench -- [options]`: merkle-level side by side with
 * classic-level and memory-level (compare.ts), or merkle-level's costs at
 * growing sizes with --scaling (scale.ts), or a database larger than
 * memory against classic-level with --large (large/run.ts). Options: args.ts.
 */
import { parseCommandLine, USAGE } from './args'
import { compare, selectSuites } from './compare'
import { runLarge } from './large/run'
import { scale } from './scale'

async function main (): Promise<void> {
  let args
  try {
    args = parseCommandLine(process.argv.slice(2))
    selectSuites(args.only)
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (args.large) await runLarge(args)
  else if (args.scaling) await scale(args)
  else await compare(args)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
