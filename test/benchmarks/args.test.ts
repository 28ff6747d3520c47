/**
 * The benchmark's command line: what a run takes, and the flags a scaling
 * run refuses because it would ignore them.
 */
import test from 'tape'
import { parseCommandLine } from '../../benchmarks/args'

test('bench args: suites, size and report place are taken as given', t => {
  const args = parseCommandLine(['--only', 'get,batch', '--only', 'open', '--size', '5000', '--reps', '2', '--out', '/tmp/r'])
  t.same(args.only, ['get', 'batch', 'open'])
  t.is(args.size, 5000)
  t.is(args.reps, 2)
  t.is(args.out, '/tmp/r')
  t.is(args.scaling, false)
  t.is(parseCommandLine(['--quick']).reps, 1, '--quick runs each suite once')
  t.end()
})

test('bench args: --scaling refuses --only, --size and --out, which it would ignore', t => {
  t.is(parseCommandLine(['--scaling', '--reps', '1']).scaling, true, 'with --reps')
  t.throws(() => parseCommandLine(['--scaling', '--only', 'get']), /--scaling does not take --only$/)
  t.throws(() => parseCommandLine(['--scaling', '--size', '5', '--out', '/tmp/x']), /--scaling does not take --size, --out$/)
  t.throws(() => parseCommandLine(['--size', '0']), /--size takes a positive integer/)
  t.end()
})

test('bench args: --large takes --entries (with exponents), --dir and --out, and refuses the comparison\'s flags', t => {
  const args = parseCommandLine(['--large', '--entries', '2e5', '--out', '/tmp/r', '--dir', '/tmp/d'])
  t.is(args.large, true)
  t.is(args.entries, 200_000)
  t.is(args.out, '/tmp/r')
  t.is(args.dir, '/tmp/d')
  t.is(parseCommandLine(['--large']).entries, undefined, 'the run chooses its default N')
  t.throws(() => parseCommandLine(['--large', '--quick', '--size', '5']), /--large does not take --quick, --size$/)
  t.throws(() => parseCommandLine(['--large', '--scaling']), /--large does not take --scaling$/)
  t.throws(() => parseCommandLine(['--entries', '5']), /--entries goes with --large/)
  t.throws(() => parseCommandLine(['--large', '--entries', '1.5']), /--entries takes a positive integer/)
  t.end()
})
