/**
 * The "Look inside" page in a real browser: Debian's Chromium, headless,
 * driven by puppeteer-core. The page loads from the endpoint, lists and
 * pages through the keys of a database, verifies inclusion and absence
 * proofs in the page, refuses a proof that a proxy altered by one byte,
 * shows a `<script>` value as text without running it, and follows the root
 * as the database is written. A browser that cannot start fails the test.
 * Screenshots go to test-artifacts/ (not committed).
 */
import test from 'tape'
import type { Test } from 'tape'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'
import type { Browser, Page } from 'puppeteer-core'
import { MerkleLevel, startReplicationServer } from '../../index'
import { toHex } from '../../lib/bytes'
import { tamperingServer } from '../util/tampering-server'
import type { Answer } from '../util/tampering-server'
import { tempLocation } from '../util/temp'

const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts')
const SCRIPT_VALUE = '<script>window.__ran = 1</script><img src=x onerror="window.__ran = 2">'
const JSON_VALUE = '{"a": [1, 2, {"b": null}]}'
const BINARY = Uint8Array.from({ length: 256 }, (_, i) => i)
const NUMBERED = Array.from({ length: 45 }, (_, i) => `k${String(i).padStart(2, '0')}`)
// In key order: 'bin' < 'html' < 'json' < 'k00' … 'k44'.
const KEYS = ['bin', 'html', 'json', ...NUMBERED]

async function seeded (): Promise<MerkleLevel> {
  const db = new MerkleLevel(tempLocation('look'))
  await db.batch(NUMBERED.map(key => ({ type: 'put' as const, key, value: `value of ${key}` })))
  await db.put('html', SCRIPT_VALUE)
  await db.put('json', JSON_VALUE)
  await db.put('bin', BINARY as unknown as string, { valueEncoding: 'view' })
  return db
}

// Changes one hexadecimal digit of the first hash in a proof: one byte of the body.
function alterOneByte (answer: Answer): Answer {
  const text = answer.body.toString('utf8')
  const at = text.search(/"(valueHash|hash)":"[0-9a-f]/)
  if (at < 0) return answer
  const digit = text.indexOf(':"', at) + 2
  const altered = text.slice(0, digit) + (text[digit] === '0' ? '1' : '0') + text.slice(digit + 1)
  return { ...answer, body: Buffer.from(altered, 'utf8') }
}

async function launch (t: Test): Promise<Browser | null> {
  try {
    return await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  } catch (err) {
    t.fail(`Chromium (${CHROMIUM}) must start for this test: ${(err as Error).message}`)
    return null
  }
}

const text = async (page: Page, selector: string): Promise<string> => await page.$eval(selector, el => el.textContent ?? '')
const column = async (page: Page, className: string): Promise<string[]> =>
  await page.$$eval(`#entries tbody td.${className}`, cells => cells.map(c => c.textContent ?? ''))

// Clears a verdict, runs `act`, and waits for the verdict it leads to.
async function verdictAfter (page: Page, id: string, act: () => Promise<unknown>): Promise<{ outcome: string, text: string }> {
  await page.$eval(`#${id}`, el => el.setAttribute('data-outcome', ''))
  await act()
  await page.waitForSelector(`#${id}[data-outcome=verified], #${id}[data-outcome=refused]`, { timeout: 10000 })
  return await page.$eval(`#${id}`, el => ({ outcome: el.getAttribute('data-outcome') ?? '', text: el.textContent ?? '' }))
}

// Waits until the overview shows `root` (the page's own functions run in the browser: a string).
async function rootShown (page: Page, root: string): Promise<void> {
  await page.waitForFunction(`document.getElementById('ov-root')?.textContent === ${JSON.stringify(root)}`, { timeout: 10000 })
}

async function proveTyped (page: Page, key: string, trustedRoot = ''): Promise<{ outcome: string, text: string }> {
  await page.$eval('#prove-key', (el, value) => { (el as unknown as { value: string }).value = value }, key)
  await page.select('#prove-encoding', 'utf8')
  await page.$eval('#trusted-root', (el, value) => { (el as unknown as { value: string }).value = value }, trustedRoot)
  return await verdictAfter(page, 'verdict', async () => await page.click('#prove'))
}

test('look inside: the page browses, proves, refuses tampering, escapes values and follows the root', async t => {
  const started = Date.now()
  mkdirSync(ARTIFACTS, { recursive: true })
  const db = await seeded()
  let tampering = false
  const server = await tamperingServer(db, {
    answer: (url, answer) => tampering && answer.status === 200 && ['/v1/prove', '/v1/range'].includes(url.pathname) ? alterOneByte(answer) : answer
  })
  const browser = await launch(t)
  if (browser === null) {
    await server.close()
    await db.close()
    return
  }
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: 1100, height: 900 })
    const problems: string[] = []
    page.on('console', message => { if (message.type() === 'error') problems.push(message.text()) })
    page.on('pageerror', err => problems.push(String(err)))

    // The page and its overview.
    const response = await page.goto(`${server.url}v1/look/`)
    t.equal(response?.status(), 200, 'the page is served')
    t.ok(/script-src 'self'/.test(response?.headers()['content-security-policy'] ?? '') && !/unsafe-inline/.test(response?.headers()['content-security-policy'] ?? ''),
      'with a Content-Security-Policy allowing no inline script')
    const root = toHex(await db.root())
    await rootShown(page, root)
    t.equal(await text(page, '#ov-entries'), String(KEYS.length), 'the overview counts the entries')
    t.equal(await text(page, '#ov-seq'), '4', 'and shows the sequence number')
    t.ok((await text(page, '#ov-recovery')).startsWith('created the database'), 'and what the last open did')
    t.ok((await text(page, '#ov-check')).startsWith('none since open'), 'and that no integrity check ran')

    // The key browser: the first page, verified, then forwards and backwards.
    await page.waitForSelector('#page-verdict[data-outcome=verified]', { timeout: 10000 })
    t.ok((await text(page, '#page-verdict')).startsWith('VERIFIED: entries 1 to 20 '), 'the first page is verified in the page')
    t.deepEqual(await column(page, 'key'), KEYS.slice(0, 20), 'and lists the first 20 keys')
    let verdict = await verdictAfter(page, 'page-verdict', async () => await page.click('#next'))
    t.ok(verdict.text.startsWith('VERIFIED: entries 21 to 40 '), 'Next: the second page, verified')
    t.deepEqual(await column(page, 'key'), KEYS.slice(20, 40), 'with the next 20 keys')
    verdict = await verdictAfter(page, 'page-verdict', async () => await page.click('#next'))
    t.deepEqual(await column(page, 'key'), KEYS.slice(40), 'Next: the last keys')
    t.equal(await page.$eval('#next', el => el.hasAttribute('disabled')), true, 'and no page after it')
    verdict = await verdictAfter(page, 'page-verdict', async () => await page.click('#prev'))
    t.deepEqual(await column(page, 'key'), KEYS.slice(20, 40), 'Previous: the second page again')
    t.equal(await page.$$eval('#depth-chart svg rect', bars => bars.length), 20, 'the depth chart has a bar per entry')

    // Filters: a prefix; a range from a key up to another.
    await page.type('#prefix', 'k1')
    verdict = await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    t.deepEqual(await column(page, 'key'), NUMBERED.slice(10, 20), `a prefix: ${verdict.text}`)
    await page.click('input[name=filter][value=range]')
    await page.type('#gte', 'k40')
    await page.type('#lt', 'k43')
    await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    t.deepEqual(await column(page, 'key'), ['k40', 'k41', 'k42'], 'a range, its end excluded')
    await page.click('input[name=filter][value=prefix]')
    await page.$eval('#prefix', el => { (el as unknown as { value: string }).value = '' })
    await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    await verdictAfter(page, 'page-verdict', async () => await page.click('#next'))

    // An inclusion proof from a row, verified in the page.
    verdict = await verdictAfter(page, 'verdict', async () => {
      const buttons = await page.$$('#entries tbody button.show-proof')
      await buttons[KEYS.slice(20, 40).indexOf('k20')].click()
    })
    t.equal(verdict.outcome, 'verified', 'an inclusion proof verifies')
    t.ok(verdict.text.includes('present') && verdict.text.includes(root), `and says so: ${verdict.text}`)
    t.equal(await text(page, '#proof-value'), 'value of k20', 'with the value it proves')
    await page.screenshot({ path: join(ARTIFACTS, 'look-inside-paging.png'), fullPage: true })

    // An absence proof of a key typed in; a pasted root, right and wrong.
    verdict = await proveTyped(page, 'nope')
    t.equal(verdict.outcome, 'verified', 'an absence proof verifies')
    t.ok(verdict.text.includes('absent'), `and says so: ${verdict.text}`)
    t.equal((await proveTyped(page, 'k07', root)).outcome, 'verified', 'against the root pasted')
    verdict = await proveTyped(page, 'k07', 'ab'.repeat(32))
    t.equal(verdict.outcome, 'refused', 'and refused against another root')
    t.ok(verdict.text.includes('LEVEL_PROOF_ROOT_MISMATCH'), `naming why: ${verdict.text}`)

    // A proxy alters one byte of the proof: refused, key proof and page alike.
    tampering = true
    verdict = await proveTyped(page, 'k20')
    t.equal(verdict.outcome, 'refused', 'a proof altered by one byte is refused')
    t.ok(verdict.text.startsWith('REFUSED: the proof does not verify'), `clearly: ${verdict.text}`)
    t.equal(await page.$eval('#verdict', el => el.className), 'verdict bad', 'and shown as a failure')
    t.equal(await page.$('#proof-value'), null, 'and no value is shown for it')
    verdict = await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    t.equal(verdict.outcome, 'refused', 'a page whose range proof was altered is refused')
    t.deepEqual(await column(page, 'key'), [], 'and shows no entries')
    await page.screenshot({ path: join(ARTIFACTS, 'look-inside-refused.png'), fullPage: true })
    tampering = false

    // Values are text: a <script> value is shown, not run; binary and JSON are shown safely.
    await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    const values = await column(page, 'value')
    t.equal(values[KEYS.indexOf('html')], SCRIPT_VALUE, 'a <script> value is shown as text')
    t.equal(await page.evaluate('window.__ran'), undefined, 'and does not run')
    t.equal(await page.$$eval('script', s => s.length), 1, 'no script element but the page\'s own')
    t.equal(await page.$$eval('#entries img', i => i.length), 0, 'no element made from a value')
    t.equal(values[KEYS.indexOf('bin')], 'not utf8: ' + toHex(BINARY), 'bytes that are not utf8 are shown in hex, marked')
    await page.select('#show', 'json')
    t.equal((await column(page, 'value'))[KEYS.indexOf('json')], JSON.stringify(JSON.parse(JSON_VALUE)), 'JSON is shown as JSON')
    await page.select('#show', 'hex')
    t.equal((await column(page, 'key'))[0], toHex(Buffer.from('bin')), 'and keys in hex when asked')

    // The root follows a write.
    const written = Date.now()
    await db.put('k99', 'written while the page looks')
    const after = toHex(await db.root())
    await rootShown(page, after)
    t.pass(`the root shown changes after a write (in ${Date.now() - written} ms)`)
    t.equal(await text(page, '#ov-seq'), '5', 'with the sequence number')

    // The picture of the README (docs/look-inside.png): the first page, and the proof of the <script> value.
    await page.select('#show', 'utf8')
    await page.$eval('#page-size', el => { (el as unknown as { value: string }).value = '8' })
    await verdictAfter(page, 'page-verdict', async () => await page.click('#go'))
    verdict = await verdictAfter(page, 'verdict', async () => {
      const buttons = await page.$$('#entries tbody button.show-proof')
      await buttons[KEYS.indexOf('html')].click()
    })
    t.equal(verdict.outcome, 'verified', 'the <script> value\'s proof verifies')
    t.equal(await text(page, '#proof-value'), SCRIPT_VALUE, 'and its value is shown as text')
    await page.screenshot({ path: join(ARTIFACTS, 'look-inside.png'), fullPage: true })
    t.deepEqual(problems.filter(p => /Content.Security.Policy|Refused to/i.test(p)), [], 'nothing the page does breaks its policy')
    await page.close()
  } finally {
    await browser.close()
    await server.close()
    await db.close()
  }
  t.comment(`browser test took ${Date.now() - started} ms`)
})

test('look inside: with a token, the page asks for it and sends it as a header', async t => {
  const db = await seeded()
  const serving = await startReplicationServer(db, { port: 0, token: 'open-sesame' })
  const browser = await launch(t)
  if (browser === null) {
    await serving.close()
    await db.close()
    return
  }
  try {
    const page = await browser.newPage()
    const response = await page.goto(`${serving.url}/v1/look/`)
    t.equal(response?.status(), 200, 'the page itself needs no token')
    await page.waitForSelector('#token-form:not([hidden])', { timeout: 10000 })
    t.equal(await text(page, '#status'), 'This server requires a token.', 'it asks for one')
    await page.type('#token', 'open-sesame')
    await page.click('#token-form button')
    const root = toHex(await db.root())
    await rootShown(page, root)
    t.pass('and reads the database with it')
    await page.close()
  } finally {
    await browser.close()
    await serving.close()
    await db.close()
  }
})
