// browser.mjs: Debian's headless Chromium driven by puppeteer-core, and the page-level helpers
// the browser tests share: a page that records console errors, page errors, CSP violations and
// dialogs; signing in; reading an org's panel on the Accounts page; screenshots.
//
//   const browser = await launchBrowser();
//   const {page, watch} = await openPage(browser, {width: 375});
//   await signIn(page, stack.url);
//   const panel = await readPanel(page, 'devorg');   // {total, names, ids, hasNext, hasPrev}
//   watch.assertClean();                             // no console error, no CSP violation
//
// The browser is /usr/bin/chromium (scripts/setup installs Debian's chromium package), or
// PE_CHROMIUM. puppeteer-core never downloads one.
import assert from 'node:assert/strict';
import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

import {kUiPassword} from './stack.mjs';

export const kChromium = process.env.PE_CHROMIUM || '/usr/bin/chromium';

// Fails (never skips) without a browser: scripts/setup installs it.
export async function launchBrowser() {
  if (!existsSync(kChromium)) {
    throw new Error(
        `Chromium is not installed at ${kChromium}: run scripts/setup (Debian's ` +
        `chromium package), or set PE_CHROMIUM to a Chromium or Chrome binary`);
  }
  return puppeteer.launch({
    executablePath: kChromium,
    headless: true,
    // root (CI, the containers here) cannot use Chromium's sandbox; /dev/shm may be small.
    args: [
      '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run',
      '--disable-extensions', '--lang=en-US'
    ],
  });
}

// What went wrong in a page, watched from its first document on.
export class PageWatch {
  constructor(page) {
    this.seen = {consoleErrors: 0, cspViolations: [], pageErrors: [], dialogs: []};  // never reset
    this.consoleErrors = [];                                                         // {text, url}
    this.pageErrors = [];
    this.cspViolations = [];  // {directive, blocked, source}
    this.dialogs = [];        // {type, message}
    page.on('console', (message) => {
      if (message.type() === 'error') {
        this.consoleErrors.push({text: message.text(), url: message.location()?.url ?? ''});
        this.seen.consoleErrors += 1;
      }
    });
    page.on('pageerror', (error) => {
      this.pageErrors.push(String(error?.message ?? error));
      this.seen.pageErrors.push(String(error?.message ?? error));
    });
    page.on('dialog', async (dialog) => {
      this.dialogs.push({type: dialog.type(), message: dialog.message()});
      this.seen.dialogs.push({type: dialog.type(), message: dialog.message()});
      await dialog.dismiss().catch(() => {});
    });
  }

  async install(page) {
    await page.exposeFunction('__peReportCsp', (violation) => {
      this.cspViolations.push(violation);
      this.seen.cspViolations.push(violation);
    });
    await page.evaluateOnNewDocument(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__peReportCsp({
          directive: e.violatedDirective,
          blocked: e.blockedURI,
          source: `${e.sourceFile}:${e.lineNumber}`
        });
      });
    });
  }

  // Chromium logs "Failed to load resource: ... status of 401" for an answer a test asked for:
  // `allowStatuses` names those. The 404 of /favicon.ico, which Chromium asks for by itself, is
  // not counted: the pages have no icon, and a data: icon would break their CSP (img-src 'self').
  assertClean({allowStatuses = []} = {}) {
    const unexpected = this.consoleErrors.filter(({text, url}) => {
      if (new URL(url || 'about:blank').pathname === '/favicon.ico') return false;
      const status = /status of (\d{3})/.exec(text);
      return !(status && allowStatuses.includes(Number(status[1])));
    });
    assert.deepEqual(unexpected, [], 'console errors');
    assert.deepEqual(this.pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(this.cspViolations, [], 'Content-Security-Policy violations');
    assert.deepEqual(this.dialogs, [], 'dialogs (alert, confirm, prompt)');
  }

  reset() {
    this.consoleErrors.length = 0;
    this.pageErrors.length = 0;
    this.cspViolations.length = 0;
    this.dialogs.length = 0;
  }
}

// A new page in a context of its own (no cookie shared with other pages), `width` wide. A new
// page costs a renderer process (1-2 s on 2 busy cores): tests reuse one per width, with
// forgetSession() between them.
export async function openPage(browser, {width = 1280, height = 800, mobile = width < 600} = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({width, height, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1});
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const watch = new PageWatch(page);
  await watch.install(page);
  return {page, watch, context};
}

// Forgets the page's cookies (its session) and what its watch saw: a fresh visitor.
export async function forgetSession({page, watch, context}) {
  const cookies = await context.cookies();
  if (cookies.length) await context.deleteCookie(...cookies);
  await page.goto('about:blank');
  watch.reset();
}

// Navigates and returns the main document's HTTP status.
export async function visit(page, url) {
  const res = await page.goto(url, {waitUntil: 'load'});
  return res.status();
}

// Fills the sign-in form of the page it is on (or of /login) and submits it; the status of the
// page it lands on.
export async function submitPassword(page, password) {
  await page.type('input#password', password);
  const [res] = await Promise.all([
    page.waitForNavigation({waitUntil: 'load'}),
    page.click('form[action="/login"] button[type=submit]')
  ]);
  return res.status();
}

// Signs in through the form and lands on `next` (default /).
export async function signIn(page, baseUrl, {next = '/'} = {}) {
  await visit(page, `${baseUrl}/login?next=${encodeURIComponent(next)}`);
  const status = await submitPassword(page, kUiPassword);
  assert.equal(status, 200, 'signed in');
  assert.equal(new URL(page.url()).pathname, next.split('?')[0]);
}

// Clicks a link or button and waits for the page it leads to; its status.
export async function follow(page, selector) {
  const [res] =
      await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.click(selector)]);
  return res.status();
}

// One org's panel on the Accounts page.
export async function readPanel(page, org) {
  return page.$eval(`section.panel[data-org="${org}"]`, (section) => {
    const total = section.querySelector('[data-total]');
    const rows = [...section.querySelectorAll('tbody tr')];
    return {
      total: total ? Number(total.textContent) : null,
      problem: section.querySelector('.problem')?.textContent ?? null,
      names: rows.map((r) => r.cells[0].textContent),
      ids: rows.map((r) => r.cells[1].textContent),
      hasNext: !!section.querySelector('a[rel=next]'),
      hasPrev: !!section.querySelector('a[rel=prev]'),
    };
  });
}

// The orgs the Accounts page shows panels for, in order.
export function panelOrgs(page) {
  return page.$$eval('section.panel[data-org]', (all) => all.map((s) => s.dataset.org));
}

// A PNG of what the viewport shows (the whole page with fullPage), in `dir` (made if missing); its
// path.
export async function screenshot(page, dir, name, {fullPage = false} = {}) {
  mkdirSync(dir, {recursive: true});
  const file = path.join(dir, name);
  await page.screenshot({path: file, fullPage});
  return file;
}
