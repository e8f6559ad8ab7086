// The operations side of the pages in headless Chromium, against one real stack (stack.mjs) of
// three orgs (`devorg --orgs sales=300,support=50,empty=0`), web with the example pricing rules
// (so the Region column shows regions) and a worker: the three org panels against each org's own
// count, one org faulted while the other two render, a 5,000-row Bulk load watched to its end
// with its 3 refused rows, an abort, the cleanups back to the count before, and a dead letter
// retried from /ops until the worker writes its Quote. run.sh runs it (ctest: label browser).
//
// The tests run in order and share the stack; each leaves the orgs as it found them (faults
// off, Bulk rows cleaned up), except the Quote the dead letter's retry writes.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

// (clang-format 14 does not wrap an import)
// clang-format off
import {follow, forgetSession, launchBrowser, openPage, panelOrgs, readPanel, screenshot,
        signIn, visit} from './browser.mjs';
// clang-format on
import {startStack} from './stack.mjs';

const kOrgs = ['sales', 'support', 'empty'];  // CONNECTION_NAMES, in --orgs order
const kRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kRules = path.join(kRepo, 'config/pricing-rules.example.json');
const kPrefix = 'pe:';  // PRICING_REDIS_PREFIX's default
const kDesktop = 1280;
const kBulkRowsPerSecond = 1500;  // 5,000 rows in about 3.3 s: the page sees it move
const screenshotDir =
    process.env.PE_SCREENSHOT_DIR || path.join(tmpdir(), 'pe-browser-screenshots');

let stack;
let browser;
let desktop;  // {page, watch, context}: the one page, reused (a new one costs a renderer)

before(async () => {
  [stack, browser] = await Promise.all([
    startStack({
      binary: process.env.PE_BINARY,
      devorgArgs: ['--orgs', 'sales=300,support=50,empty=0'],
      webEnv: {PRICING_RULES: kRules},
      worker: true,
    }),
    launchBrowser(),
  ]);
  desktop = await openPage(browser, {width: kDesktop});
}, {timeout: 40_000});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

// The page, signed in (a fresh visitor first), on `next`.
async function signedIn(next = '/') {
  await forgetSession(desktop);
  await signIn(desktop.page, stack.url, {next});
  return desktop;
}

// A test whose failure message ends with the stack's processes and their logs.
function check(name, body) {
  test(name, async (t) => {
    try {
      await body(t);
    } catch (error) {
      error.message += `\n${stack.failure()}`;
      throw error;
    }
  });
}

// Polls `probe` (async) every `everyMs` until it returns something truthy; that value.
async function until(what, probe, {timeoutMs = 15_000, everyMs = 200} = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

function redis(...args) {
  return promisify(execFile)('redis-cli', ['-u', stack.redisUrl, ...args])
      .then(({stdout}) => stdout.trim());
}

// The Dead letters figure of the main queue in the dashboard's Queues table.
function deadOnMain(p) {
  return p.$$eval('section[aria-labelledby="queues"] tbody tr', (rows) => {
    const main = rows.find((r) => r.cells[0].textContent.startsWith('main'));
    return Number(main.cells[4].textContent);
  });
}

const accounts = (org) => org.count('SELECT COUNT() FROM Account');

// Fills the /bulk form by typing and submits it; lands on the load's page. The load's id.
async function startLoad(p, {org, rows, refused}) {
  assert.equal(await visit(p, `${stack.url}/bulk`), 200);
  await p.select('select#org', org);
  for (const [field, value] of [['rows', rows], ['refused', refused]]) {
    await p.click(`input#${field}`, {clickCount: 3});  // select the default, typed over
    await p.keyboard.press('Backspace');
    await p.type(`input#${field}`, String(value));
  }
  assert.equal(await follow(p, 'form[action="/bulk/loads"] button[type=submit]'), 200);
  const match = /^\/bulk\/loads\/([0-9a-f]{16})$/.exec(new URL(p.url()).pathname);
  assert.ok(match, `on the load's page: ${p.url()}`);
  assert.equal(await p.$eval('.notice', (n) => n.textContent), 'The load has started.');
  return match[1];
}

// The load's section as the page shows it now; null while the page is being replaced.
function readLoad(p) {
  return p
      .$eval(
          'section.bulk-load', (s) => ({
                                 state: s.dataset.state,
                                 done: s.dataset.done === 'true',
                                 value: Number(s.querySelector('progress').getAttribute('value')),
                                 max: Number(s.querySelector('progress').getAttribute('max')),
                               }))
      .catch(() => null);
}

// Clicks Clean up on the load's page and waits for the cleanup's page to say it is done.
async function cleanUp(p, expectedDeleted) {
  assert.equal(await follow(p, 'form[action$="/cleanup"] button[type=submit]'), 200);
  await p.waitForSelector('section.bulk-cleanup[data-done="true"]', {timeout: 30_000});
  assert.equal(await p.$eval('section.bulk-cleanup', (s) => s.dataset.state), 'cleaned');
  assert.equal(
      await p.$eval('[data-field="deleted"]', (b) => Number(b.textContent)), expectedDeleted);
}

check('three org panels in CONNECTION_NAMES order, each with its org\'s own count', async () => {
  assert.deepEqual(stack.connections, kOrgs);
  const counts = {};
  for (const name of kOrgs) counts[name] = await accounts(await stack.org(name));
  assert.ok(counts.sales > 50 && counts.support > 0, JSON.stringify(counts));
  assert.notEqual(counts.sales, counts.support);
  assert.equal(counts.empty, 0);

  const {page: p, watch} = await signedIn();
  assert.deepEqual(await panelOrgs(p), kOrgs);
  for (const name of kOrgs) {
    const panel = await readPanel(p, name);
    assert.equal(panel.problem, null, `${name} has no problem`);
    assert.equal(panel.total, counts[name], `${name}'s total`);
    assert.equal(panel.names.length, Math.min(50, counts[name]));
  }
  assert.equal(
      await p.$eval(
          'section.panel[data-org="empty"]', (s) => s.querySelector('p:last-child').textContent),
      'No accounts.');
  // The example rules have several regions: the sales panel shows more than one.
  const regions = await p.$$eval(
      'section.panel[data-org="sales"] tbody tr',
      (rows) => rows.map((r) => r.cells[3].textContent));
  assert.ok(new Set(regions).size > 1, `regions of the example rules: ${[...new Set(regions)]}`);
  // Ids are the org's own: none of sales's Ids is on support's panel.
  const sales = await readPanel(p, 'sales');
  const support = await readPanel(p, 'support');
  assert.deepEqual(sales.ids.filter((id) => support.ids.includes(id)), []);
  watch.assertClean();
});

check('a failing org shows a short reason while the other two render', async () => {
  const {page: p, watch} = await signedIn();
  await stack.faults({error_rate: 1}, {org: 'support'});
  try {
    assert.equal(await visit(p, `${stack.url}/`), 200);
    assert.deepEqual(await panelOrgs(p), kOrgs);
    const support = await readPanel(p, 'support');
    assert.equal(support.problem, 'The org answered with a server error.', 'a short reason');
    assert.equal(support.total, null, 'no count for the failing org');
    const sales = await readPanel(p, 'sales');
    assert.equal(sales.problem, null);
    assert.equal(sales.names.length, 50);
    const empty = await readPanel(p, 'empty');
    assert.equal(empty.problem, null);
    assert.equal(empty.total, 0);
  } finally {
    await stack.faults({error_rate: 0}, {org: 'support'});
  }
  assert.equal(await visit(p, `${stack.url}/`), 200);
  assert.equal((await readPanel(p, 'support')).problem, null, 'support is back once unfaulted');
  watch.assertClean();
});

check(
    'a 5,000-row Bulk load is seen to progress to its end, 3 rows refused; then cleaned up',
    async (t) => {
      const sales = await stack.org('sales');
      const before = await accounts(sales);
      await stack.faults({bulk_rows_per_second: kBulkRowsPerSecond}, {org: 'sales'});
      const {page: p, watch} = await signedIn('/bulk');
      try {
        await startLoad(p, {org: 'sales', rows: 5000, refused: 3});
        // The bar as pages.js moves it, sampled until the page drawn at the end says done.
        const seen = [];
        let shot = false;
        const last = await until('the load is done', async () => {
          const load = await readLoad(p);
          if (!load) return null;
          if (!load.done && seen.at(-1) !== load.value) seen.push(load.value);
          if (!shot && !load.done && load.value > 0 && load.value < load.max) {
            shot = true;
            await screenshot(p, screenshotDir, 'bulk.png');
          }
          return load.done ? load : null;
        }, {timeoutMs: 30_000, everyMs: 100});
        t.diagnostic(`the bar: ${seen.join(' → ')}, then the end`);
        const moving = seen.filter((v) => v > 0 && v < 5000);
        assert.ok(
            moving.length >= 2 && seen.length >= 3,
            `the bar grew at least twice before the end: ${seen.join(' → ')}`);
        assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'it never went back');
        assert.equal(last.state, 'complete');
        assert.equal(last.value, 5000);
      } finally {
        await stack.faults({bulk_rows_per_second: 0}, {org: 'sales'});
      }
      await p.waitForSelector('section.bulk-load[data-done="true"]');
      const figures = await p.$$eval(
          'section.bulk-load [data-field]',
          (all) => Object.fromEntries(all.map((b) => [b.dataset.field, b.textContent])));
      assert.deepEqual(
          {processed: figures.processed, succeeded: figures.succeeded, failed: figures.failed},
          {processed: '5000', succeeded: '4997', failed: '3'});
      const refused = await p.$$eval(
          'tr.refused-row',
          (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
      assert.equal(refused.length, 3, 'the 3 refused rows are listed');
      for (const [error, name] of refused) {
        assert.match(error, /REQUIRED_FIELD_MISSING/);
        assert.equal(name, '', 'a refused row has no Name');
      }
      assert.equal(await accounts(sales), before + 4997);

      await cleanUp(p, 4997);
      assert.equal(await accounts(sales), before, 'back to the count before');
      assert.equal(await p.$('form[action$="/cleanup"]'), null, 'nothing left to clean up');
      watch.assertClean();
    });

check(
    'a running load is aborted: the org stops growing, and the cleanup takes it back', async () => {
      const sales = await stack.org('sales');
      const before = await accounts(sales);
      await stack.faults({bulk_rows_per_second: 2000}, {org: 'sales'});
      const {page: p, watch} = await signedIn('/bulk');
      let stopped;
      try {
        await startLoad(p, {org: 'sales', rows: 100000, refused: 0});
        await until('the load runs', async () => {
          const load = await readLoad(p);
          return load && load.state === 'running' && load.value > 0;
        }, {timeoutMs: 20_000, everyMs: 100});
        assert.equal(await follow(p, 'form[action$="/abort"] button[type=submit]'), 200);
        assert.equal(await p.$eval('.notice', (n) => n.textContent), 'The load was told to stop.');
        const load = await until('the load is aborted', async () => {
          const l = await readLoad(p);
          if (l?.done) return l;
          await visit(p, p.url());  // the aborted load's page is not polled: look again
          return null;
        });
        assert.equal(load.state, 'aborted');
        assert.match(
            await p.$eval('section.bulk-load [class^="state-"]', (b) => b.textContent), /Aborted/);
        assert.equal(await p.$('form[action$="/abort"]'), null, 'no Abort any more');
        assert.ok(load.value > 0 && load.value < 100000, `processed ${load.value} of 100000`);
        stopped = await accounts(sales);
        await sleep(1500);  // at 2,000 rows a second a running job would add 3,000 by now
        assert.equal(await accounts(sales), stopped, 'no row is added after the abort');
        assert.equal(stopped - before, load.value, 'the org holds the rows processed');
      } finally {
        await stack.faults({bulk_rows_per_second: 0}, {org: 'sales'});
      }
      await cleanUp(p, stopped - before);
      assert.equal(await accounts(sales), before, 'back to the count before');
      watch.assertClean();
    });

check('a dead letter is retried from the dashboard and the worker writes its Quote', async () => {
  const sales = await stack.org('sales');
  const {records} = await sales.query('SELECT OpportunityId FROM OpportunityLineItem LIMIT 1');
  assert.equal(records.length, 1, 'a seeded Opportunity with lines');
  const opportunity = records[0].OpportunityId;
  const transaction = `browser-dead-${randomBytes(6).toString('hex')}`;
  const key = `${transaction}:${opportunity}`;
  const quotes = async () =>
      (await sales.query(`SELECT Id, OpportunityId FROM Quote WHERE GenerationKey__c = '${key}'`))
          .records;
  assert.deepEqual(await quotes(), []);
  // A dead letter as JobQueue::dead_letter writes one (jobs/job.cpp, job_fields).
  const id = await redis(
      'XADD', `${kPrefix}jobs:dead`, '*', 'tx', transaction, 'conn', 'sales', 'ids', opportunity,
      'attempt', '5', 'enqueued', String(Date.now() - 60_000), 'error',
      'The org answered with a server error (browser test).');
  assert.match(id, /^\d+-\d+$/);

  const {page: p, watch} = await signedIn('/ops');
  assert.equal(await deadOnMain(p), 1, 'the queue table counts it');
  const row = `tr[data-dead="${id}"]`;
  const cells = await p.$eval(row, (r) => [...r.cells].map((c) => c.textContent));
  assert.equal(cells[0], id);
  assert.equal(cells[1], 'main');
  assert.equal(cells[2], 'eventing');
  assert.equal(cells[3], '5');
  assert.match(cells[5], /server error \(browser test\)/);
  await screenshot(p, screenshotDir, 'ops-dead-letter.png');

  assert.equal(await follow(p, `${row} form[action$="/retry"] button[type=submit]`), 200);
  assert.equal(new URL(p.url()).pathname, '/ops');
  assert.equal(
      await p.$eval('p.notice[role=status]', (n) => n.textContent),
      'The dead letter is queued again.');
  assert.equal(await p.$(row), null, 'the dead letter is gone');
  assert.equal(await deadOnMain(p), 0);
  assert.equal(await redis('XLEN', `${kPrefix}jobs:dead`), '0');
  const [quote] = await until('the worker writes the Quote', async () => {
    const found = await quotes();
    return found.length ? found : null;
  }, {timeoutMs: 20_000, everyMs: 250});
  assert.equal(quote.OpportunityId, opportunity);

  // The dashboard saw the job through: its row among the recent jobs, its quote in the figures
  // and in the chart's current minute (jobs/activity_log.hpp, throughput_chart.hpp).
  const figure = (name) =>
      p.$eval(`b[data-figure="${name}"]`, (b) => Number(b.textContent));
  const jobRow = `tr[data-kind="eventing"][data-job="${transaction}"]`;
  const [job] = await until('the dashboard shows the job succeeded', async () => {
    await p.reload({waitUntil: 'load'});
    const rows =
        await p.$$eval(jobRow, (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
    return rows.length === 1 && rows[0][3] === 'succeeded' ? rows : null;
  }, {timeoutMs: 10_000, everyMs: 250});
  assert.equal(job[0], 'eventing');
  assert.equal(job[2], 'sales');
  assert.equal(job[4], '1', 'one quote written');
  assert.ok(await figure('quotes-total') >= 1);
  assert.ok(await figure('quotes-hour') >= 1);
  const lastBar = await p.$eval('svg.chart g:last-of-type', (g) => Number(g.dataset.quotes));
  assert.ok(lastBar >= 1, 'the current minute has the quote');
  await screenshot(p, screenshotDir, 'ops.png', {fullPage: true});
  watch.assertClean();
});

test('no page above logged a CSP violation or an uncaught error, or opened a dialog', () => {
  assert.deepEqual(desktop.watch.seen.cspViolations, []);
  assert.deepEqual(desktop.watch.seen.pageErrors, []);
  assert.deepEqual(desktop.watch.seen.dialogs, []);
});
