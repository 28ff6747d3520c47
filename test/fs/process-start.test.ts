/**
 * The process start recorded in LOCK files: exact on Linux, on the monotonic
 * clock within a tolerance elsewhere; different kinds never match.
 */
import test from 'tape'
import { PROCESS_START, sameProcessStart } from '../../lib/fs/process-start'

test('process start: the kind of this platform, equal to itself', t => {
  if (process.platform === 'linux') t.ok(/^linux:[0-9a-f-]+:\d+$/.test(PROCESS_START), `read from /proc: ${PROCESS_START}`)
  else t.ok(/^clock:\d+\.\d{3}$/.test(PROCESS_START), `from the monotonic clock: ${PROCESS_START}`)
  t.ok(sameProcessStart(PROCESS_START, PROCESS_START))
  t.end()
})

test('process start: how two starts compare', t => {
  t.ok(sameProcessStart('clock:1000.000', 'clock:1000.900'), 'clock starts within a millisecond: one process')
  t.notOk(sameProcessStart('clock:1000.000', 'clock:1001.500'), 'further apart: two processes')
  t.notOk(sameProcessStart('linux:b:100', 'linux:b:101'), 'Linux starts are exact')
  t.notOk(sameProcessStart('linux:a:100', 'linux:b:100'), 'another boot')
  t.notOk(sameProcessStart('clock:1000.000', 'linux:b:1000'), 'kinds never match')
  t.notOk(sameProcessStart('simulated:00', 'simulated:01'), 'simulated disks are worlds of their own')
  t.end()
})
