/**
 * The follower of the replica SIGKILL test (sigkill.test.ts): follows the
 * server argv[2] into the replica argv[3] with short waits between retries,
 * printing "O" as it starts and "S <seq> <how>" for each state reached (once
 * it is durable), until killed, or until SIGTERM, when it prints
 * "E <seq> <root>" and exits 0.
 */
import { follow } from '../../index'

async function main (): Promise<void> {
  const [url, location] = process.argv.slice(2)
  const controller = new AbortController()
  process.once('SIGTERM', () => controller.abort())
  process.stdout.write('O\n')
  const last = await follow(url, location, {
    signal: controller.signal,
    waitMs: 5000,
    retryMinMs: 10,
    retryMaxMs: 100,
    onState: state => { process.stdout.write(`S ${state.seq} ${state.how}\n`) }
  })
  process.stdout.write(`E ${last?.seq ?? -1} ${last?.root ?? '-'}\n`)
}

main().catch(err => {
  process.stderr.write(`${String(err?.code)} ${String(err?.stack ?? err)}\n`)
  process.exit(2)
})
