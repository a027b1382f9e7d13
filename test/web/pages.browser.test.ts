/// <reference lib="dom" />
/**
 * The chat page and the operator console in headless Chromium (Debian's `chromium`, driven
 * by puppeteer-core; `.ci/run` installs it when absent): an answer streams in from the
 * Ollama stand-in with its origin, 👎 on cached answers from three visitors (three API keys) quarantine
 * the entry, the console shows it quarantined, and a restore brings the cached answer back.
 * Screenshots of each page go to test-results/screenshots/ for review.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas, type LiveKobza } from '../adapters/http/helpers.js';

const CHROMIUM = process.env.KOBZA_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.resolve('test-results/screenshots');
const ADMIN = 'admin-key-0123456789';
const QUESTION = 'Коли починається вступна кампанія?';
/** One key per visitor: all test traffic comes from one address, and 👎 count once per voter. */
const VISITORS = ['visitor-key-00000001', 'visitor-key-00000002', 'visitor-key-00000003', 'visitor-key-00000004'];

let browser: Browser;
let kobza: LiveKobza;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set KOBZA_CHROMIUM)`);
  mkdirSync(SHOTS, { recursive: true });
  kobza = await startKobza({ plugins: { 'semantic-cache': {}, feedback: {} }, http: { adminKeys: [ADMIN], apiKeys: VISITORS }, standIn: { tokenDelayMs: 5 } });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'], headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopKobzas();
});

/** A page in a fresh browser context (its own session storage) whose browser speaks `language`. */
async function newPage(language: string): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  const session = await page.createCDPSession();
  await session.send('Emulation.setUserAgentOverride', { userAgent: await browser.userAgent(), acceptLanguage: language });
  return page;
}

/** A visitor on a phone-sized screen with a Ukrainian browser, with their own API key. */
async function openChat(visitor: number): Promise<Page> {
  const page = await newPage('uk-UA,uk');
  await page.setViewport({ width: 414, height: 820, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  await page.goto(`${kobza.url}/`, { waitUntil: 'domcontentloaded' });
  await page.click('summary');
  await page.type('[data-testid="api-key"]', VISITORS[visitor]);
  await page.$eval('[data-testid="api-key"]', (input) => input.dispatchEvent(new Event('change')));
  return page;
}

/** Asks a question and waits until its answer has streamed to the end. */
async function askOnPage(page: Page, question: string): Promise<{ text: string; source: string }> {
  const before = await page.$$eval('[data-testid="answer"]', (nodes) => nodes.length);
  await page.type('[data-testid="question"]', question);
  await page.click('[data-testid="send"]');
  // The new answer is finished when it is no longer busy (with 👍/👎, or marked as an error).
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="answer"][aria-busy="false"]').length > n, {}, before);
  return page.$$eval('[data-testid="answer"]', (nodes) => {
    const last = nodes[nodes.length - 1];
    return { text: last.querySelector('.text')!.textContent!, source: (last.querySelector('[data-testid="source"]') as HTMLElement).dataset.source! };
  });
}

async function voteDown(page: Page): Promise<void> {
  const buttons = await page.$$('[data-testid="feedback-down"]');
  await buttons[buttons.length - 1].click();
  await page.waitForFunction(() => {
    const all = document.querySelectorAll('[data-testid="feedback-down"]');
    return all[all.length - 1].getAttribute('aria-pressed') === 'true';
  });
}

describe('the web pages in Chromium', () => {
  it('streams an answer with its origin, quarantines a cached answer after three 👎, and the console restores it', async () => {
    const first = await openChat(0);
    const generated = await askOnPage(first, QUESTION);
    expect(generated.source).toBe('provider');
    expect(generated.text.length).toBeGreaterThan(0);
    expect(await first.$eval('[data-testid="source"]', (n) => n.textContent)).toBe('модель');
    await kobza.kernel.resolve('SemanticCache').flush();

    // Three visitors (three voters) get the cached answer and rate it 👎.
    for (let visitor = 0; visitor < 3; visitor++) {
      const page = visitor === 0 ? first : await openChat(visitor);
      const cached = await askOnPage(page, QUESTION);
      expect(cached.source).toBe('cache');
      expect(cached.text).toBe(generated.text);
      await voteDown(page);
      if (visitor === 0) await page.screenshot({ path: path.join(SHOTS, 'chat.png'), fullPage: true });
    }
    const stored = await kobza.kernel.resolve('Feedback').latest();
    expect(stored.filter((r) => r.rating === 'down' && r.source === 'cache')).toHaveLength(3);

    const fourth = await openChat(3);
    expect((await askOnPage(fourth, QUESTION)).source).toBe('provider');

    // The operator's browser speaks English.
    const consolePage = await newPage('en-GB,en');
    await consolePage.setViewport({ width: 1280, height: 720 });
    await consolePage.goto(`${kobza.url}/admin`, { waitUntil: 'domcontentloaded' });
    expect(await consolePage.$eval('h1', (n) => n.textContent)).toBe('Kobza — operator console');
    await consolePage.type('[data-testid="admin-key"]', ADMIN);
    await consolePage.$eval('[data-testid="admin-key"]', (input) => input.dispatchEvent(new Event('change')));
    await consolePage.waitForSelector('[data-testid="entry"] [data-testid="entry-state"][data-state="quarantined"]');
    const rows = await consolePage.$$eval('[data-testid="entry"]', (nodes) => nodes.map((n) => n.querySelector('td')!.textContent));
    expect(rows).toContain(QUESTION);
    // Let the live charts take a second reading before the screenshot.
    await consolePage.waitForFunction(() => document.getElementById('v-requests')!.textContent !== '–', { timeout: 15_000 });
    await consolePage.screenshot({ path: path.join(SHOTS, 'admin-quarantined.png'), fullPage: true });

    await consolePage.click('[data-testid="entry"] [data-testid="restore"]');
    await consolePage.waitForSelector('[data-testid="entry"] [data-testid="entry-state"][data-state="active"]');
    await consolePage.screenshot({ path: path.join(SHOTS, 'admin-restored.png'), fullPage: true });
    expect((await askOnPage(fourth, QUESTION)).source).toBe('cache');
    await fourth.screenshot({ path: path.join(SHOTS, 'chat-after-restore.png'), fullPage: true });

    // The alias action: the operator types another wording (one the verifier alone tells apart) into the prompt.
    const ALIAS = 'Коли можна подавати заяви на вступ?';
    consolePage.once('dialog', (dialog) => void dialog.accept(ALIAS));
    const aliased = consolePage.waitForResponse((response) => response.url().endsWith('/alias') && response.status() === 200);
    await consolePage.click('[data-testid="entry"] [data-testid="alias"]');
    await aliased;
    const viaAlias = await askOnPage(fourth, ALIAS);
    expect(viaAlias.source).toBe('cache');
    expect(viaAlias.text).toBe(generated.text);
  }, 90_000);

  it('sends the API key typed into the page, and shows the refusal without one', async () => {
    const key = 'web-chat-key-1234';
    const locked = await startKobza({ http: { apiKeys: [key] } });
    const page = await newPage('en-US,en');
    await page.goto(`${locked.url}/`, { waitUntil: 'domcontentloaded' });
    await page.type('[data-testid="question"]', 'Hello?');
    await page.click('[data-testid="send"]');
    await page.waitForSelector('.a.error');
    expect(await page.$eval('.a.error .text', (n) => n.textContent)).toMatch(/^Error: missing or invalid API key/);

    await page.click('summary');
    await page.type('[data-testid="api-key"]', key);
    await page.$eval('[data-testid="api-key"]', (input) => input.dispatchEvent(new Event('change')));
    expect(await page.evaluate(() => sessionStorage.getItem('kobza.key'))).toBe(key);
    const answered = await askOnPage(page, 'Hello?');
    expect(answered.source).toBe('provider');
    expect(answered.text).toContain('Hello?');
  }, 60_000);
});
