// The pages web serves (src/pages/), in headless Chromium against a real stack (stack.mjs):
// redis-server, a seeded local org and web. Signing in and out, the Accounts panel against the
// org's own count, paging and search, an Account name that is markup shown as text, CSRF on a
// POST, the keyboard, console errors and CSP violations, and the screenshots of docs/screenshots/.
// run.sh runs it (ctest: label browser); PE_BINARY is the built pricing-engine.
//
// The tests run in order and share one stack: the screenshots come before any Account is
// created, so they show the seeded data only.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';

// (clang-format 14 does not wrap an import)
// clang-format off
import {follow, forgetSession, launchBrowser, openPage, readPanel, screenshot, signIn,
        submitPassword, visit} from './browser.mjs';
// clang-format on
import {kUiPassword, startStack} from './stack.mjs';

const kSeed = 400;  // opportunities: the org seeds one Account per five, 80, more than a page
const kRowsPerPage = 50;
const kDesktop = 1280;
const kMobile = 375;
// Where the screenshots go (run.sh: the build folder unless PE_SCREENSHOT_DIR=docs/screenshots),
// so that a test run leaves the source tree as it was.
const screenshotDir =
    process.env.PE_SCREENSHOT_DIR || path.join(tmpdir(), 'pe-browser-screenshots');

let stack;
let browser;
let org;
const pages = new Map();  // width -> {page, watch, context}: one each, reused (openPage)

before(async () => {
  [stack, browser] = await Promise.all([
    startStack({binary: process.env.PE_BINARY, devorgArgs: ['--seed', String(kSeed)]}),
    launchBrowser(),
  ]);
  const opened = await Promise.all([kDesktop, kMobile].map((width) => openPage(browser, {width})));
  for (const one of opened) pages.set(one.page.viewport().width, one);
  org = await stack.org();
}, {timeout: 40_000});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

// The page `width` wide, as a new visitor's: no session, nothing seen yet.
async function page({width = kDesktop} = {}) {
  const one = pages.get(width);
  await forgetSession(one);
  return one;
}

// The page `width` wide, signed in, on the Accounts page.
async function signedIn(width = kDesktop) {
  const one = await page({width});
  await signIn(one.page, stack.url);
  return one;
}

// A test whose failure message ends with the stack's processes and their logs.
function check(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      error.message += `\n${stack.failure()}`;
      throw error;
    }
  });
}

check('a page without a session is sent to /login?next=/', async () => {
  const {page: p, watch} = await page({width: kDesktop});
  const status = await visit(p, `${stack.url}/`);
  assert.equal(status, 200);
  const url = new URL(p.url());
  assert.equal(url.pathname, '/login');
  assert.equal(url.searchParams.get('next'), '/');
  assert.equal(await p.$eval('h1', (h) => h.textContent), 'Sign in');
  assert.equal(await p.$('nav[aria-label="Pages"]'), null, 'no navigation before signing in');
  await screenshot(p, screenshotDir, 'login.png');
  watch.assertClean();
});

check('a wrong password is refused with a message; the right one signs in', async () => {
  const {page: p, watch, context} = await page({width: kMobile});
  await visit(p, `${stack.url}/`);
  const refused = await submitPassword(p, 'not-the-password-at-all');
  assert.equal(refused, 401);
  assert.equal(new URL(p.url()).pathname, '/login');
  assert.equal(
      await p.$eval('.problem[role=alert]', (e) => e.textContent),
      'That password is not the right one.');
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === 'pe_session'), undefined, 'no session cookie');

  const signedIn = await submitPassword(p, kUiPassword);
  assert.equal(signedIn, 200);
  assert.equal(new URL(p.url()).pathname, '/');
  const session = (await context.cookies()).find((c) => c.name === 'pe_session');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.ok(await p.$('section.panel[data-org="devorg"]'), 'the Accounts page');
  watch.assertClean({allowStatuses: [401]});
});

check('screenshots of the Accounts page, 1280 and 375 wide', async () => {
  const desktop = await signedIn(kDesktop);
  await screenshot(desktop.page, screenshotDir, 'accounts.png');
  const mobile = await signedIn(kMobile);
  await screenshot(mobile.page, screenshotDir, 'accounts-mobile.png');
  // 375 wide: the page itself does not scroll sideways (the table may, inside its panel).
  const width = await mobile.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= kMobile, `the page is ${width} px wide in a ${kMobile} px viewport`);
  desktop.watch.assertClean();
  mobile.watch.assertClean();
});

check('the Accounts panel shows the org\'s own count, and pages next and back', async () => {
  const {page: p, watch} = await signedIn(kDesktop);
  const expected = await org.count('SELECT COUNT() FROM Account');
  assert.ok(expected > kRowsPerPage, `the seeded org has ${expected} Accounts, more than a page`);
  const first = await readPanel(p, 'devorg');
  assert.equal(first.problem, null);
  assert.equal(first.total, expected);
  assert.equal(first.names.length, kRowsPerPage);
  assert.equal(first.hasPrev, false);
  assert.equal(first.hasNext, true);
  const sorted = [...first.names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(first.names, sorted, 'sorted by name');

  assert.equal(await follow(p, 'section.panel[data-org="devorg"] a[rel=next]'), 200);
  const second = await readPanel(p, 'devorg');
  assert.equal(second.total, expected);
  assert.equal(second.names.length, expected - kRowsPerPage);
  assert.equal(second.hasPrev, true);
  assert.equal(second.hasNext, false);
  assert.deepEqual(second.ids.filter((id) => first.ids.includes(id)), [], 'no row of page 1 again');
  assert.ok(second.names[0] >= first.names.at(-1), 'page 2 goes on where page 1 ended');

  assert.equal(await follow(p, 'section.panel[data-org="devorg"] a[rel=prev]'), 200);
  const back = await readPanel(p, 'devorg');
  assert.deepEqual(back.ids, first.ids, 'previous comes back to page 1');
  assert.equal(back.hasPrev, false);
  watch.assertClean();
});

check('the search narrows the rows to the names that match', async () => {
  const word = `Quokka${randomBytes(4).toString('hex')}`;
  const names = [`${word} Alpha Ltd`, `Beta ${word} GmbH`];
  for (const name of names) await org.create('Account', {Name: name, BillingCountry: 'France'});
  const {page: p, watch} = await signedIn(kDesktop);
  await p.type('input#q', word);
  assert.equal(await follow(p, 'form.search button[type=submit]'), 200);
  assert.equal(new URL(p.url()).searchParams.get('q'), word);
  const found = await readPanel(p, 'devorg');
  assert.equal(found.total, 2);
  assert.deepEqual(found.names, [...names].sort());
  assert.equal(found.hasNext, false);
  assert.equal(await p.$eval('input#q', (i) => i.value), word, 'the search stays in its field');
  watch.assertClean();
});

check('an Account named with markup is shown as text and runs nothing', async () => {
  const markup = '<img src=x onerror=alert(1)>';
  await org.create('Account', {Name: markup, BillingCountry: '<b>bold</b>'});
  const {page: p, watch} = await signedIn(kDesktop);
  // The first page (names starting with '<' sort first), then the same name as the search.
  for (const url of [`${stack.url}/`, `${stack.url}/?q=${encodeURIComponent(markup)}`]) {
    assert.equal(await visit(p, url), 200);
    const cells = await p.$$eval(
        'section.panel[data-org="devorg"] tbody tr',
        (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[2].textContent]));
    assert.deepEqual(cells.find(([name]) => name === markup), [markup, '<b>bold</b>'], `on ${url}`);
    assert.equal(
        await p.$$eval('main img, main b', (all) => all.length), 0, 'no element from the name');
  }
  assert.equal(await p.$eval('input#q', (i) => i.value), markup);
  assert.ok((await p.$eval('section.panel .meta', (m) => m.textContent)).includes(markup));
  await new Promise((resolve) => setTimeout(resolve, 200));  // an onerror would have fired by now
  assert.deepEqual(watch.dialogs, [], 'no dialog');
  watch.assertClean();
});

check('a POST without its CSRF token is refused and the session stays', async () => {
  const {page: p, watch} = await signedIn(kDesktop);
  const answer = await p.evaluate(async () => {
    const res = await fetch('/logout', {
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: 'next=%2F',
    });
    return {status: res.status, text: await res.text()};
  });
  assert.equal(answer.status, 403);
  assert.match(answer.text, /CSRF token is missing or wrong/);
  const wrong =
      await p.evaluate(async () => (await fetch('/logout', {
                                     method: 'POST',
                                     headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                                     body: 'csrf=00000000000000000000000000000000',
                                   })).status);
  assert.equal(wrong, 403);
  assert.equal(await visit(p, `${stack.url}/`), 200);
  assert.equal(new URL(p.url()).pathname, '/', 'still signed in');
  assert.ok(await p.$('section.panel[data-org="devorg"]'));

  // The form's own token signs out; then / is sent to /login again.
  assert.equal(await follow(p, 'form[action="/logout"] button[type=submit]'), 200);
  assert.equal(new URL(p.url()).pathname, '/login');
  await visit(p, `${stack.url}/`);
  assert.equal(new URL(p.url()).pathname, '/login');
  watch.assertClean({allowStatuses: [403]});
});

check('Tab reaches the navigation links and the search field', async () => {
  const {page: p, watch} = await signedIn(kMobile);
  // What has the focus: `#id`, else `tag[href="..."]:text`.
  const focused = () => p.evaluate(() => {
    const e = document.activeElement;
    if (e.id) return `#${e.id}`;
    const href = e.getAttribute('href');
    return `${e.tagName.toLowerCase()}${href ? `[href="${href}"]` : ''}:${e.textContent.trim()}`;
  });
  const reached = [];
  for (let i = 0; i < 8; ++i) {
    await p.keyboard.press('Tab');
    reached.push(await focused());
  }
  const links = ['a[href="/"]:Accounts', 'a[href="/bulk"]:Bulk API', 'a[href="/ops"]:Operations'];
  for (const link of links) {
    assert.ok(reached.includes(link), `Tab reaches ${link}; reached ${reached.join(', ')}`);
  }
  assert.ok(reached.includes('#q'), `Tab reaches the search field; reached ${reached.join(', ')}`);
  assert.ok(reached.indexOf('a[href="/"]:Accounts') < reached.indexOf('#q'), 'navigation first');
  // Enter in the search field searches.
  await p.focus('input#q');
  await p.keyboard.type('Quokka');
  await Promise.all([p.waitForNavigation(), p.keyboard.press('Enter')]);
  assert.equal(new URL(p.url()).searchParams.get('q'), 'Quokka');
  watch.assertClean();
});

test(
    'no page of any test above logged a CSP violation or an uncaught error, or opened a dialog',
    () => {
      for (const {watch} of pages.values()) {
        assert.deepEqual(watch.seen.cspViolations, []);
        assert.deepEqual(watch.seen.pageErrors, []);
        assert.deepEqual(watch.seen.dialogs, []);
      }
    });
