/**
 * The command-line tool, run as a real child process: help, exit codes, and
 * each command against databases in known states (sound, torn, damaged,
 * open in another process).
 */
import test from 'tape'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel } from '../../index'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import type { FileSystem, OpenMode } from '../../lib/fs/file-system'
import { tempLocation } from '../util/temp'
import { jsonLines, runCli } from './run-cli'

const COMMANDS = ['info', 'verify', 'dump', 'get', 'root', 'prove', 'verify-proof', 'checkpoint', 'export', 'import', 'repair']

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

// A database with a snapshot and log records after it; resolves with its location and root.
async function makeDatabase (): Promise<{ location: string, root: string }> {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  await db.batch(Array.from({ length: 20 }, (_, i) => ({ type: 'put' as const, key: `key${String(i).padStart(2, '0')}`, value: `value${i}` })))
  await db.checkpoint()
  await db.put('extra', '{"n":1}')
  await db.del('key03')
  const root = hex(await db.root())
  await db.close()
  return { location, root }
}

// Every file of a directory with its bytes: to show that a command changed nothing.
function contents (location: string): Record<string, string> {
  const all: Record<string, string> = {}
  for (const name of readdirSync(location).sort()) all[name] = readFileSync(join(location, name)).toString('hex')
  return all
}

test('cli: --help for the program and every command, exit 0', async t => {
  const main = await runCli(['--help'])
  t.equal(main.code, 0, 'merkle-level --help exits 0')
  for (const command of COMMANDS) {
    t.ok(main.stdout.includes(command), `the overview lists ${command}`)
    const help = await runCli([command, '--help'])
    t.equal(help.code, 0, `${command} --help exits 0`)
    t.ok(help.stdout.startsWith(`Usage: merkle-level ${command}`), `${command} --help shows its usage`)
  }
  const version = await runCli(['--version'])
  t.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version, '--version prints the package version')
})

test('cli: usage errors exit 2', async t => {
  const { location } = await makeDatabase()
  t.equal((await runCli(['bogus'])).code, 2, 'unknown command')
  t.equal((await runCli(['info'])).code, 2, 'missing argument')
  t.equal((await runCli(['info', location, '--bogus'])).code, 2, 'unknown option')
  t.equal((await runCli(['dump', location, '--key-encoding', 'latin1'])).code, 2, 'unknown encoding')
  t.equal((await runCli(['dump', location, '--limit', '-3'])).code, 2, 'bad limit')
  t.equal((await runCli(['get', location, 'zz', '--key-encoding', 'hex'])).code, 2, 'a key that is not hex')
  t.equal((await runCli(['verify-proof', 'abc', 'file'])).code, 2, 'a root that is not 64 hex digits')
  t.equal((await runCli(['prove', location])).code, 2, 'prove with neither key nor range')
})

test('cli: no database at the location exits 5', async t => {
  const missing = tempLocation('missing')
  for (const args of [['info', missing], ['verify', missing], ['dump', missing], ['dump', '--wal', missing], ['get', missing, 'k'], ['root', missing], ['checkpoint', missing]]) {
    const run = await runCli(args)
    t.equal(run.code, 5, `${args.join(' ')}: exit 5`)
  }
})

test('cli: info counts the log kept for change feeds; verify accepts it', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location, { retainLogBytes: 1 << 20 })
  await db.put('a', '1')
  await db.checkpoint()
  await db.put('b', '2')
  await db.checkpoint()
  await db.close()
  const kept = readdirSync(location).filter(n => n.includes('.retained-'))
  const bytes = kept.reduce((n, name) => n + statSync(join(location, name)).size, 0)
  t.equal(kept.length, 2, 'two segments retained')
  const facts = JSON.parse((await runCli(['info', '--json', location])).stdout) as Record<string, unknown>
  t.deepEqual(facts.retainedLog, { segments: 2, bytes }, 'info --json: the retained segments and their bytes')
  t.deepEqual(facts.wal, { segments: 1, bytes: 128, recordsAfterSnapshot: 0, tornTailBytes: 0 }, 'and the live log apart')
  const human = await runCli(['info', location])
  t.ok(human.stdout.includes(`retained log  2 segments, ${bytes} B, kept for change feeds`), 'info: a row for them')
  const verify = await runCli(['verify', location])
  t.equal(verify.code, 0, 'verify exits 0')
})

test('cli: info, root, get, dump on a sound database', async t => {
  const { location, root } = await makeDatabase()
  const info = await runCli(['info', '--json', location])
  t.equal(info.code, 0, 'info exits 0')
  const facts = JSON.parse(info.stdout) as Record<string, unknown>
  t.equal(facts.entries, 20, 'entries')
  t.equal(facts.seq, 3, 'sequence number')
  t.equal(facts.root, root, 'root')
  t.deepEqual(facts.snapshot, { file: 'snapshot-00000000000000000001.mls', seq: 1, bytes: (facts.snapshot as { bytes: number }).bytes }, 'last checkpoint')
  t.equal((facts.wal as { recordsAfterSnapshot: number }).recordsAfterSnapshot, 2, 'two batches after the checkpoint')
  t.deepEqual(facts.retainedLog, { segments: 0, bytes: 0 }, 'no log retained')
  t.equal(facts.lock, 'free', 'lock free')
  const human = await runCli(['info', location])
  t.ok(human.stdout.includes(`root        ${root}`), 'the human form shows the root')

  const rootRun = await runCli(['root', location])
  t.equal(rootRun.stdout, `${root}\n`, 'root prints the root')
  t.equal((await runCli(['get', location, 'key05'])).stdout, 'value5\n', 'get prints the value')
  const json = await runCli(['get', location, 'extra', '--value-encoding', 'json'])
  t.equal(json.stdout, '{"n":1}\n', 'get with the json value encoding')
  const hexValue = await runCli(['get', location, Buffer.from('key05').toString('hex'), '-k', 'hex', '-v', 'hex'])
  t.equal(hexValue.stdout, `${Buffer.from('value5').toString('hex')}\n`, 'get with hex encodings')
  const absent = await runCli(['get', location, 'key03'])
  t.equal(absent.code, 1, 'a deleted key: exit 1')
  t.equal(absent.stdout, '', 'and nothing on standard output')

  const dump = await runCli(['dump', location, '--gte', 'key10', '--lt', 'key13'])
  t.deepEqual(jsonLines(dump.stdout), [
    { key: 'key10', value: 'value10' }, { key: 'key11', value: 'value11' }, { key: 'key12', value: 'value12' }
  ], 'dump of a range')
  const reverse = await runCli(['dump', location, '--reverse', '--limit', '2'])
  t.deepEqual(jsonLines(reverse.stdout), [{ key: 'key19', value: 'value19' }, { key: 'key18', value: 'value18' }], 'dump in reverse with a limit')
  const all = await runCli(['dump', location])
  t.equal(jsonLines(all.stdout).length, 20, 'dump of everything')
})

test('cli: dump --wal lists every record', async t => {
  const { location } = await makeDatabase()
  const run = await runCli(['dump', '--wal', location])
  t.equal(run.code, 0, 'exit 0')
  const items = jsonLines(run.stdout) as Array<Record<string, unknown>>
  t.deepEqual(items.map(i => i.kind), ['segment', 'record', 'record'], 'one segment, two records (the rest is in the snapshot)')
  t.equal(items[0].firstSeq, 2, 'the segment continues at sequence 2')
  t.deepEqual(items[1].ops, [{ type: 'put', key: 'extra', value: '{"n":1}' }], 'record 2')
  t.deepEqual(items[2].ops, [{ type: 'del', key: 'key03' }], 'record 3')
  t.deepEqual(items.slice(1).map(i => i.seq), [2, 3], 'sequence numbers')
})

test('cli: verify passes a sound database and notes a torn tail, changing nothing', async t => {
  const { location, root } = await makeDatabase()
  const sound = await runCli(['verify', location])
  t.equal(sound.code, 0, 'sound: exit 0')
  t.ok(sound.stdout.includes('ok: no problems found'), 'says ok')
  // A crash in the middle of an append leaves half a frame.
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  writeFileSync(join(location, wal), Buffer.concat([readFileSync(join(location, wal)), Buffer.from([40, 0, 0, 0, 1, 2, 3])]))
  const before = contents(location)
  const torn = await runCli(['verify', '--json', location])
  t.equal(torn.code, 0, 'a torn tail is not a problem: exit 0')
  const report = JSON.parse(torn.stdout) as { ok: boolean, problems: string[], notes: string[], state: { root: string, entries: number } }
  t.equal(report.ok, true, 'report ok')
  t.equal(report.notes.filter(n => n.includes('torn tail of 7 bytes')).length, 1, 'the torn tail is noted')
  t.equal(report.state.root, root, 'the state is the one before the crash')
  t.equal(report.state.entries, 20, 'entries')
  t.deepEqual(contents(location), before, 'verify changed nothing')

  // A crash after the log was extended leaves zeros after its last frame: a note of its own.
  writeFileSync(join(location, wal), Buffer.concat([readFileSync(join(location, wal)).subarray(0, -7), Buffer.alloc(4096)]))
  const spare = JSON.parse((await runCli(['verify', '--json', location])).stdout) as { ok: boolean, notes: string[] }
  t.equal(spare.ok, true, 'zeros after the last frame are not a problem')
  t.equal(spare.notes.filter(n => n.includes('ends in 4096 bytes of zeros after its last frame')).length, 1, 'the zeros are noted as such')
  const info = await runCli(['info', location])
  t.ok(info.stdout.includes('4096 B after the last frame'), 'info shows them')
})

test('cli: verify fails on damage, changing nothing; info exits 4', async t => {
  const { location } = await makeDatabase()
  // Damage the first record of the log while the second stays valid: not a torn tail.
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, wal))
  bytes[128 + 14] ^= 0xff
  writeFileSync(join(location, wal), bytes)
  const before = contents(location)
  const run = await runCli(['verify', '--json', location])
  t.equal(run.code, 1, 'damage: exit 1')
  const report = JSON.parse(run.stdout) as { ok: boolean, problems: string[], state: { seq: number, recoverable: string } }
  t.equal(report.ok, false, 'report not ok')
  t.ok(report.problems.length >= 1, 'problems listed')
  t.deepEqual([report.state.seq, report.state.recoverable], [1, 'repair'], 'repair would keep the snapshot state')
  t.deepEqual(contents(location), before, 'verify changed nothing')
  t.equal((await runCli(['info', location])).code, 4, 'info on a damaged database: exit 4')
  t.deepEqual(contents(location), before, 'info changed nothing either')
})

test('cli: get, dump, root, export and prove read the longest valid history of a damaged database, changing nothing', async t => {
  const { location } = await makeDatabase()
  // The state of the snapshot (sequence 1, 20 entries), before the log is damaged.
  const snapshotState = tempLocation('snapshot-state')
  const copy = new MerkleLevel(snapshotState)
  await copy.batch(Array.from({ length: 20 }, (_, i) => ({ type: 'put' as const, key: `key${String(i).padStart(2, '0')}`, value: `value${i}` })))
  const snapshotRoot = hex(await copy.root())
  await copy.close()
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, wal))
  bytes[128 + 14] ^= 0xff
  writeFileSync(join(location, wal), bytes)
  const before = contents(location)
  const warning = `merkle-level: warning: showing the longest valid history, up to sequence 1 (20 entries); skipped at least 1 batch after it, in the last ${bytes.length - 128} bytes of ${wal} (damaged); nothing was changed`
  const runs = {
    get: await runCli(['get', location, 'key03']),
    root: await runCli(['root', location]),
    dump: await runCli(['dump', location]),
    export: await runCli(['export', location]),
    prove: await runCli(['prove', location, 'key03'])
  }
  for (const [name, run] of Object.entries(runs)) {
    t.equal(run.code, 0, `${name}: exit 0`)
    const lines = run.stderr.split('\n')
    t.ok(lines[0].startsWith(`merkle-level: warning: ${location} is damaged: WAL segment ${wal}`), `${name}: warns that the database is damaged, naming the file`)
    t.ok(lines[1].startsWith(warning), `${name}: and says what it skipped`)
  }
  t.equal(runs.get.stdout, 'value3\n', 'get: the value of the snapshot state (deleted by the damaged batch)')
  t.equal(runs.root.stdout, `${snapshotRoot}\n`, 'root: the root of the snapshot state')
  t.equal(jsonLines(runs.dump.stdout).length, 20, 'dump: the 20 entries of the snapshot state')
  t.equal(jsonLines(runs.export.stdout).length, 20, 'export: the same')
  t.ok(runs.prove.stderr.includes(`root ${snapshotRoot}`), 'prove: against the root of the snapshot state')
  t.deepEqual(contents(location), before, 'no file was changed, added or removed')
})

test('cli: a damaged snapshot is a problem, even when the log still covers it', async t => {
  const location = tempLocation()
  const db = new MerkleLevel(location, { checkpointBytes: 0 })
  await db.put('a', '1')
  const walName = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const wal = readFileSync(join(location, walName))
  await db.checkpoint()
  await db.close()
  const snapshot = readdirSync(location).find(n => n.startsWith('snapshot-')) as string
  const bytes = readFileSync(join(location, snapshot))
  bytes[130] ^= 0x01
  writeFileSync(join(location, snapshot), bytes)

  const needed = await runCli(['verify', '--json', location])
  t.equal(needed.code, 1, 'the log it replaced is gone: exit 1')
  const first = JSON.parse(needed.stdout) as { problems: string[] }
  t.equal(first.problems.filter(p => p.startsWith(`snapshot ${snapshot} is damaged`)).length, 1, 'the snapshot is named')

  // Put the log back: open() would now recover everything from it, and still verify reports the damage.
  writeFileSync(join(location, walName), wal)
  const covered = await runCli(['verify', '--json', location])
  t.equal(covered.code, 1, 'covered by the log: still exit 1')
  const second = JSON.parse(covered.stdout) as { problems: string[], state: { recoverable: string, entries: number } }
  t.deepEqual(second.problems.map(p => p.split(':')[0]), [`snapshot ${snapshot} is damaged`], 'the damaged snapshot is the only problem')
  t.deepEqual([second.state.recoverable, second.state.entries], ['open', 1], 'open() recovers the whole state from the log')
})

test('cli: repair says what it would do, then does it with --yes', async t => {
  const { location } = await makeDatabase()
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, wal))
  bytes[128 + 14] ^= 0xff
  writeFileSync(join(location, wal), bytes)
  const before = contents(location)
  const dry = await runCli(['repair', location])
  t.equal(dry.code, 1, 'without --yes: exit 1')
  t.ok(dry.stdout.includes('run again with --yes'), 'says how to go on')
  t.deepEqual(contents(location), before, 'and changed nothing')

  const run = await runCli(['repair', '--yes', location])
  t.equal(run.code, 0, 'with --yes: exit 0')
  t.ok(run.stdout.includes('REPAIRED: sequence 1, 20 entries'), 'reports what it kept')
  const aside = readdirSync(location).filter(n => n.startsWith(`${wal}.discarded-`))
  t.equal(aside.length, 1, 'the damaged segment was copied aside')
  t.deepEqual(readFileSync(join(location, aside[0])), Buffer.from(before[wal], 'hex'), 'the copy holds the damaged bytes as they were')
  t.equal((await runCli(['verify', location])).code, 0, 'verify passes afterwards')
  t.equal((await runCli(['get', location, 'key03'])).stdout, 'value3\n', 'the state is the one of the snapshot')
  const again = await runCli(['repair', location])
  t.equal(again.code, 0, 'a second repair finds nothing to do')
})

test('cli: info and reads work while another process holds the lock; writers get exit 3', async t => {
  const { location, root } = await makeDatabase()
  const db = new MerkleLevel(location)
  await db.open()
  const info = await runCli(['info', '--json', location])
  t.equal(info.code, 0, 'info exits 0')
  const facts = JSON.parse(info.stdout) as { lockHolder: { pid: number, live: boolean }, root: string }
  t.deepEqual([facts.lockHolder.pid, facts.lockHolder.live], [process.pid, true], 'names the live holder')
  t.equal(facts.root, root, 'and reads the state')
  t.equal((await runCli(['get', location, 'key01'])).stdout, 'value1\n', 'get works')
  t.equal((await runCli(['verify', location])).code, 0, 'verify works')
  const checkpoint = await runCli(['checkpoint', location])
  t.equal(checkpoint.code, 3, 'checkpoint: exit 3 (locked)')
  t.equal((await runCli(['import', location], '')).code, 3, 'import: exit 3 (locked)')
  await db.close()
  const after = await runCli(['checkpoint', '--json', location])
  t.equal(after.code, 0, 'checkpoint after close: exit 0')
  t.equal((JSON.parse(after.stdout) as { seq: number }).seq, 3, 'the snapshot covers sequence 3')
})

test('cli: export and import round trip, lossless for any bytes', async t => {
  const location = tempLocation()
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  const entries = Array.from({ length: 50 }, (_, i) => [Uint8Array.of(0xff, i, 0), Uint8Array.of(i, 0x80, 0xc3)] as const)
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
  const root = hex(await db.root())
  await db.close()

  const exported = await runCli(['export', location])
  t.equal(exported.code, 0, 'export exits 0')
  t.equal(jsonLines(exported.stdout).length, 50, 'one line per entry')
  t.equal((await runCli(['dump', location])).code, 2, 'dump as utf8 refuses bytes that are not UTF-8 (exit 2)')
  const target = tempLocation('imported')
  const imported = await runCli(['import', target, '--batch-size', '7'], exported.stdout)
  t.equal(imported.code, 0, 'import exits 0')
  t.ok(imported.stderr.includes(`imported 50 entries; root ${root}`), 'reports the same root')
  t.equal((await runCli(['root', target])).stdout, `${root}\n`, 'the imported database has the same root')

  const file = join(tempLocation('export-file'))
  t.equal((await runCli(['export', location, '-o', file])).code, 0, 'export to a file')
  t.equal(readFileSync(file, 'utf8'), exported.stdout, 'the same lines')
  t.equal((await runCli(['export', location, '-o', file])).code, 6, 'an existing output file is not overwritten')

  const bad = `${exported.stdout.split('\n').slice(0, 3).join('\n')}\nnot json\n`
  const partial = tempLocation('partial')
  const run = await runCli(['import', partial, '--batch-size', '2'], bad)
  t.equal(run.code, 2, 'a bad line: exit 2')
  t.ok(run.stderr.includes('line 4'), 'names the line')
  t.equal(jsonLines((await runCli(['export', partial])).stdout).length, 2, 'the whole batches before it were imported')
  const utf8 = await runCli(['import', tempLocation('utf8'), '-e', 'utf8'], '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n')
  t.equal(utf8.code, 0, 'import with the utf8 encoding')
})

test('cli: prove and verify-proof', async t => {
  const { location, root } = await makeDatabase()
  const proof = await runCli(['prove', location, 'key07'])
  t.equal(proof.code, 0, 'prove exits 0')
  t.ok(proof.stderr.includes(`root ${root}`), 'names the root')
  const file = tempLocation('proof.json')
  writeFileSync(file, proof.stdout)
  const ok = await runCli(['verify-proof', root, file])
  t.equal(ok.code, 0, 'a valid proof: exit 0')
  t.deepEqual(JSON.parse(ok.stdout), { valid: true, kind: 'key', key: 'key07', present: true, value: 'value7', count: 20 }, 'what it proves')
  const absent = await runCli(['verify-proof', root, '-'], (await runCli(['prove', location, 'key03'])).stdout)
  t.deepEqual(JSON.parse(absent.stdout), { valid: true, kind: 'key', key: 'key03', present: false, count: 20 }, 'absence proof from standard input')
  const otherRoot = root.replace(/^./, c => c === '0' ? '1' : '0')
  const wrong = await runCli(['verify-proof', otherRoot, file])
  t.equal(wrong.code, 1, 'another root: exit 1')
  t.equal((JSON.parse(wrong.stdout) as { code: string }).code, 'LEVEL_PROOF_ROOT_MISMATCH', 'with the error code')
  const forged = JSON.parse(proof.stdout) as { nodes: Array<{ value?: string } | null> }
  const entry = forged.nodes.find(n => n !== null && n.value !== undefined) as { value: string }
  entry.value = Buffer.from('forged').toString('hex')
  writeFileSync(file, JSON.stringify(forged))
  t.equal((await runCli(['verify-proof', root, file])).code, 1, 'a forged value: exit 1')
  writeFileSync(file, 'garbage')
  const garbage = await runCli(['verify-proof', root, file])
  t.equal((JSON.parse(garbage.stdout) as { code: string }).code, 'LEVEL_INVALID_PROOF', 'garbage: LEVEL_INVALID_PROOF')

  const range = await runCli(['prove', location, '--gte', 'key10', '--lt', 'key12'])
  writeFileSync(file, range.stdout)
  const checked = await runCli(['verify-proof', root, file])
  t.deepEqual((JSON.parse(checked.stdout) as { entries: unknown }).entries, [{ key: 'key10', value: 'value10' }, { key: 'key11', value: 'value11' }], 'a range proof lists the entries')
  const binary = tempLocation('proof.bin')
  t.equal((await runCli(['prove', location, 'key01', '--binary', '-o', binary])).code, 0, 'binary proof written')
  t.equal((JSON.parse((await runCli(['verify-proof', root, binary])).stdout) as { value: string }).value, 'value1', 'and verified')
})

// 21 entries in one snapshot, damaged after its header: its last byte is lost (open() reads an
// image's header alone, so damage it sees while the header still gives the count is a short file);
// the log after it holds no record.
async function makeDamagedSnapshot (): Promise<{ location: string, snapshot: string, wal: string }> {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  for (let i = 0; i < 21; i++) await db.put(`k${i}`, `v${i}`)
  await db.checkpoint()
  await db.close()
  const snapshot = readdirSync(location).find(n => n.startsWith('snapshot-')) as string
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, snapshot))
  writeFileSync(join(location, snapshot), bytes.subarray(0, bytes.length - 1))
  return { location, snapshot, wal }
}

test('cli: repair blames a damaged snapshot and says what it keeps and gives up', async t => {
  const { location, snapshot, wal } = await makeDamagedSnapshot()
  const emptyRoot = hex(await new MerkleLevel(tempLocation('empty')).root())
  const before = contents(location)
  const dry = await runCli(['repair', '--json', location])
  t.equal(dry.code, 1, 'without --yes: exit 1')
  const planned = JSON.parse(dry.stdout) as { problems: string[], keeps: unknown, givesUp: unknown, repaired: boolean }
  t.ok(planned.problems[0].startsWith(`open() refuses the database: Snapshot ${snapshot} is damaged`), 'the cause named is the damaged snapshot')
  t.equal(planned.problems.filter(p => p.includes('WAL gap')).length, 0, 'not a gap in the log')
  t.deepEqual(planned.keeps, { seq: 0, entries: 0, root: emptyRoot }, 'keeps the empty state')
  const givesUp = {
    batches: 21,
    lastSeq: 21,
    atLeast: false,
    entriesBefore: 21,
    filesSetAside: [{ name: snapshot, why: 'damaged' }, { name: wal, why: 'after the damage' }],
    cut: null
  }
  t.deepEqual(planned.givesUp, givesUp, 'gives up 21 batches, 21 entries and two files')
  t.equal(planned.repaired, false, 'not repaired')
  t.deepEqual(contents(location), before, 'changed nothing')

  const human = await runCli(['repair', location])
  t.deepEqual(human.stdout.split('\n').filter(l => !l.startsWith('problem: ')), [
    `repair keeps the history up to sequence 0: 0 entries, root ${emptyRoot}`,
    'repair gives up 21 batches (sequence 1 to 21); entries 21 before, 0 after; 2 files set aside',
    `sets aside: ${snapshot} (damaged)`,
    `sets aside: ${wal} (after the damage)`,
    'nothing was changed: run again with --yes to repair',
    ''
  ], 'the human form says the same before acting')

  const run = await runCli(['repair', '--yes', location])
  t.equal(run.code, 0, 'with --yes: exit 0')
  const lines = run.stdout.split('\n')
  t.equal(lines.filter(l => l === 'gave up 21 batches (sequence 1 to 21); entries 21 before, 0 after; 2 files set aside').length, 1, 'says after acting what it gave up')
  t.equal(lines.filter(l => l === `kept the history up to sequence 0: 0 entries, root ${emptyRoot}`).length, 1, 'and what it kept')
  const aside = readdirSync(location).filter(n => n.includes('.corrupt-') || n.includes('.discarded-')).map(n => n.replace(/-\d+$/, '-T')).sort()
  t.deepEqual(aside, [`${snapshot}.corrupt-T`, `${wal}.discarded-T`], 'both files are set aside')
})

test('cli: repair --yes --json reports a log cut by damage', async t => {
  const { location } = await makeDatabase()
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, wal))
  bytes[128 + 14] ^= 0xff
  writeFileSync(join(location, wal), bytes)
  const run = await runCli(['repair', '--yes', '--json', location])
  t.equal(run.code, 0, 'exit 0')
  const done = JSON.parse(run.stdout) as { keeps: { seq: number, entries: number }, givesUp: unknown, repaired: boolean, setAside: string[], bytesCut: number }
  t.deepEqual([done.keeps.seq, done.keeps.entries, done.repaired], [1, 20, true], 'keeps the snapshot state')
  t.deepEqual(done.givesUp, {
    batches: 1, lastSeq: 2, atLeast: true, entriesBefore: null, filesSetAside: [{ name: wal, why: 'damaged' }], cut: { name: wal, bytes: bytes.length - 128 }
  }, 'gives up at least one batch, cut from the segment')
  t.equal(done.bytesCut, bytes.length - 128, 'the bytes cut')
  t.deepEqual(done.setAside.map(n => n.replace(/-\d+$/, '-T')), [`${wal}.discarded-T`], 'the copy set aside')
})

test('cli: import of a 600 MB line exits 2 naming the line and leaves nothing behind', async t => {
  const input = tempLocation('huge.ndjson')
  // A sparse file: one line of 600 MB of zero bytes, without writing them.
  writeFileSync(input, '')
  truncateSync(input, 600 * 1024 * 1024)
  const target = tempLocation('from-huge')
  const run = await runCli(['import', target, input])
  t.equal(run.code, 2, 'exit 2')
  t.ok(run.stderr.startsWith(`merkle-level: line 1 of ${input} is longer than`), 'names the line and the file')
  t.notOk(run.stderr.includes('    at '), 'no stack trace')
  t.notOk(existsSync(target), 'no database directory was created')

  const empty = tempLocation('empty-dir')
  mkdirSync(empty)
  const bad = await runCli(['import', empty], '{"key":"YQ==","value":"Yg=="}\nnot json\n')
  t.equal(bad.code, 2, 'a bad line in the first batch: exit 2')
  t.ok(bad.stderr.includes('line 2 of standard input: not JSON'), 'names the line and the input')
  t.deepEqual(readdirSync(empty), [], 'the directory is left as it was: no LOCK, no log')

  const partial = tempLocation('partial-lock')
  const some = await runCli(['import', partial, '--batch-size', '1'], '{"key":"YQ==","value":"Yg=="}\nnot json\n')
  t.equal(some.code, 2, 'a bad line after a batch: exit 2')
  t.deepEqual(readdirSync(partial).filter(n => n.startsWith('LOCK')), [], 'and the lock is not left behind')
  t.equal((await runCli(['get', partial, 'a'])).stdout, 'b\n', 'the batch before it stays')

  const directory = await runCli(['import', tempLocation('from-dir'), empty])
  t.equal(directory.code, 2, 'a directory as the input: exit 2')
  t.ok(directory.stderr.includes(`cannot read ${empty}`), 'naming it')
  const missing = await runCli(['import', tempLocation('from-missing'), join(empty, 'none.ndjson')])
  t.equal(missing.code, 2, 'a missing input file: exit 2')
  t.ok(missing.stderr.includes(`cannot read ${join(empty, 'none.ndjson')}`), 'naming it')
})

test('cli: export -o leaves no partial file on failure; -o - writes to standard output', async t => {
  const location = tempLocation()
  const db = new MerkleLevel<string, Uint8Array>(location, { valueEncoding: 'view' })
  // Values 0-2 are text; value 3 is not UTF-8, so export -e utf8 fails after three lines.
  await db.batch(Array.from({ length: 5 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: i === 3 ? Uint8Array.of(0xff, 0xfe) : Buffer.from(`v${i}`) })))
  await db.close()
  const folder = tempLocation('out')
  mkdirSync(folder)
  const file = join(folder, 'export.ndjson')
  const failed = await runCli(['export', location, '-e', 'utf8', '-o', file])
  t.equal(failed.code, 2, 'a value that is not UTF-8: exit 2')
  t.ok(failed.stderr.includes(`Value 3 of ${location}`), 'names the value and the database')
  t.deepEqual(readdirSync(folder), [], 'no output file, partial or temporary, is left')

  const piped = await runCli(['export', location, '-o', '-'], undefined, folder)
  t.equal(piped.code, 0, '-o -: exit 0')
  t.equal(jsonLines(piped.stdout).length, 5, 'the lines go to standard output')
  t.deepEqual(readdirSync(folder), [], 'no file named "-"')

  t.equal((await runCli(['export', location, '-o', file])).code, 0, 'export to a file')
  t.deepEqual(readdirSync(folder), ['export.ndjson'], 'only the file itself is there')
  t.equal(readFileSync(file, 'utf8'), piped.stdout, 'holding the same lines')
  const again = await runCli(['export', location, '-o', file])
  t.equal(again.code, 6, 'an existing output file: exit 6')
  t.ok(again.stderr.includes(file), 'names it')
})

test('cli: prove -o - writes to standard output, also in binary', async t => {
  const { location, root } = await makeDatabase()
  const folder = tempLocation('proof-out')
  mkdirSync(folder)
  const json = await runCli(['prove', location, 'key07', '-o', '-'], undefined, folder)
  t.equal(json.code, 0, 'exit 0')
  const binary = await runCli(['prove', location, 'key07', '--binary', '-o', '-'], undefined, folder)
  t.equal(binary.code, 0, 'binary: exit 0')
  t.deepEqual(readdirSync(folder), [], 'no file named "-"')
  const checked = await runCli(['verify-proof', root, '-'], json.stdout)
  t.equal((JSON.parse(checked.stdout) as { value: string }).value, 'value7', 'the JSON proof verifies')
  const file = join(folder, 'proof.bin')
  t.equal((await runCli(['prove', location, 'key07', '--binary', '-o', file])).code, 0, 'a binary file')
  t.deepEqual(binary.stdoutBytes, readFileSync(file), 'standard output holds the same bytes as the file')
})

test('cli: a wrong location gets a message naming it and the documented exit code', async t => {
  const plain = tempLocation('plain-file')
  writeFileSync(plain, 'not a database\n')
  const empty = tempLocation('empty-dir')
  mkdirSync(empty)
  const under = join(plain, 'db')
  const readers = (dir: string): string[][] => [
    ['info', dir], ['verify', dir], ['dump', dir], ['dump', '--wal', dir], ['get', dir, 'k'], ['root', dir],
    ['prove', dir, 'k'], ['checkpoint', dir], ['export', dir], ['repair', dir]
  ]
  for (const [dir, says] of [[plain, `${plain} is a file, not a database directory`], [empty, `No database in ${empty}`], [under, `Database ${under} does not exist`]]) {
    for (const args of readers(dir)) {
      const run = await runCli(args)
      t.equal(run.code, 5, `${args.slice(0, -1).join(' ')} on ${dir.slice(dir.lastIndexOf('/') + 1)}: exit 5`)
      t.ok(run.stderr.startsWith(`merkle-level: ${says}`), 'says what is there, naming it')
    }
  }
  t.deepEqual(readdirSync(empty), [], 'nothing was created in the empty directory')
  for (const dir of [plain, under]) {
    const run = await runCli(['import', dir], '{"key":"YQ==","value":"Yg=="}\n')
    t.equal(run.code, 2, 'import where no database directory can be: exit 2')
    t.ok(run.stderr.includes(dir), 'naming it')
  }
})

test('cli: a database name that is not a regular file is named as damage; bad options come first', async t => {
  const location = tempLocation()
  mkdirSync(location)
  const segment = join(location, 'wal-00000000000000000001.log')
  mkdirSync(segment)
  for (const args of [['info', location], ['verify', location], ['dump', location], ['dump', '--wal', location], ['root', location], ['export', location], ['repair', location], ['checkpoint', location]]) {
    const run = await runCli(args)
    const name = `${args[0]}${args[1] === '--wal' ? ' --wal' : ''}`
    // verify answers "no" (1); every other command finds a database open() refuses (4).
    t.equal(run.code, args[0] === 'verify' ? 1 : 4, `${name} with a log segment that is a directory: exit ${args[0] === 'verify' ? 1 : 4}`)
    t.ok((run.stdout + run.stderr).includes(`${segment} is not a regular file but a directory`), `${name} names the file`)
    t.notOk(run.stderr.includes('    at '), 'no stack trace')
  }
  const missing = tempLocation('missing')
  t.equal((await runCli(['dump', missing, '--limit', 'abc'])).code, 2, 'dump: a bad --limit is reported before the missing database')
  t.equal((await runCli(['export', missing, '--gt', 'a', '--gte', 'b'])).code, 2, 'export: two lower bounds, before the database')
  t.equal((await runCli(['prove', missing, '--lt', 'zz', '-k', 'hex'])).code, 2, 'prove: a bound that is not hex, before the database')
  const root = '00'.repeat(32)
  const absent = join(location, 'no-proof.json')
  const noFile = await runCli(['verify-proof', root, absent])
  t.equal(noFile.code, 2, 'verify-proof with a missing proof file: exit 2')
  t.ok(noFile.stderr.includes(`proof file ${absent}`), 'naming it')
  const directory = await runCli(['verify-proof', root, location])
  t.equal(directory.code, 2, 'verify-proof with a directory as the proof file: exit 2')
  t.ok(directory.stderr.includes(`proof file ${location}`), 'naming it')
})

test('cli: info shows a checkpoint that failed, and forgets it once one succeeds', async t => {
  const { location } = await makeDatabase()
  // The real disk, but a full one for image files (a base, or the delta a checkpoint after one
  // writes): a checkpoint fails as on ENOSPC.
  const full: FileSystem = Object.create(nodeFileSystem) as FileSystem
  full.open = async (path: string, mode: OpenMode) => {
    if (mode === 'create' && /\.ml[sd]\.tmp-/.test(path)) throw Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), { code: 'ENOSPC' })
    return await nodeFileSystem.open(path, mode)
  }
  const db = new MerkleLevel(location, { fs: full } as object)
  await db.open()
  await db.put('after', 'x')
  const refused = await db.checkpoint().then(() => null, (err: { code?: string }) => err.code)
  t.equal(refused, 'LEVEL_IO_ERROR', 'the checkpoint fails')
  await db.close()

  const json = await runCli(['info', '--json', location])
  t.equal(json.code, 0, 'info exits 0: nothing is lost')
  const failed = (JSON.parse(json.stdout) as { checkpointFailed: Record<string, unknown> | null }).checkpointFailed
  t.same(failed === null ? null : { code: failed.code, cause: failed.cause, background: failed.background, snapshotSeq: failed.snapshotSeq, seq: failed.seq, writesDisabled: failed.writesDisabled },
    { code: 'LEVEL_IO_ERROR', cause: 'ENOSPC', background: false, snapshotSeq: 1, seq: 4, writesDisabled: false }, 'the JSON says what failed and what was kept')
  const human = await runCli(['info', location])
  t.ok(human.stdout.includes('last checkpoint failed') && human.stdout.includes('kept: the snapshot of sequence 1 and the log up to 4'), 'so does the table')

  const again = new MerkleLevel(location)
  await again.open()
  await again.checkpoint()
  await again.close()
  const after = JSON.parse((await runCli(['info', '--json', location])).stdout) as { checkpointFailed: unknown }
  t.equal(after.checkpointFailed, null, 'a checkpoint that succeeds clears it')
})

// A closed database of 20 entries in a base image and one more in a delta after it.
async function baseAndDelta (): Promise<string> {
  const location = tempLocation()
  const db = new MerkleLevel(location)
  for (let i = 0; i < 20; i++) await db.put(`k${i}`, `v${i}`)
  await db.checkpoint()
  await db.put('x', 'y')
  await db.checkpoint()
  await db.close()
  return location
}

test('cli: info lists the image files of the state, base first', async t => {
  const location = await baseAndDelta()
  const size = (name: string): number => readFileSync(join(location, name)).length
  const base = 'snapshot-00000000000000000020.mls'
  const delta = 'delta-00000000000000000021.mld'
  const json = await runCli(['info', '--json', location])
  t.equal(json.code, 0, 'exit 0')
  t.deepEqual((JSON.parse(json.stdout) as { images: unknown }).images, [
    { file: base, kind: 'base', seq: 20, entries: 20, bytes: size(base) },
    { file: delta, kind: 'delta', seq: 21, entries: 21, bytes: size(delta) }
  ], 'the base and the delta, with their sequence numbers, counts and sizes')
  const human = (await runCli(['info', location])).stdout.split('\n')
  t.equal(human.filter(l => /^base image +snapshot-00000000000000000020\.mls \(sequence 20, 20 entries, /.test(l)).length, 1, 'the table names the base')
  t.equal(human.filter(l => /^delta image +delta-00000000000000000021\.mld \(sequence 21, 21 entries, /.test(l)).length, 1, 'and the delta')
})

test('cli: repair counts a damaged delta like a snapshot', async t => {
  const location = await baseAndDelta()
  const delta = 'delta-00000000000000000021.mld'
  const wal = readdirSync(location).find(n => n.startsWith('wal-')) as string
  const bytes = readFileSync(join(location, delta))
  writeFileSync(join(location, delta), bytes.subarray(0, bytes.length - 1))
  const dry = await runCli(['repair', '--json', location])
  t.equal(dry.code, 1, 'without --yes: exit 1')
  const planned = JSON.parse(dry.stdout) as { keeps: { seq: number, entries: number }, givesUp: unknown }
  t.deepEqual([planned.keeps.seq, planned.keeps.entries], [20, 20], 'keeps the base state')
  t.deepEqual(planned.givesUp, {
    batches: 1,
    lastSeq: 21,
    atLeast: false,
    entriesBefore: 21,
    filesSetAside: [{ name: delta, why: 'damaged' }, { name: wal, why: 'after the damage' }],
    cut: null
  }, 'gives up the batch the delta held, and the count its header states')
})
