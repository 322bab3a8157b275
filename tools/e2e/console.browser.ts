import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { eventually, root } from './region.process';

/**
 * The operator console in a real browser for end-to-end tests (issue 12): Debian's Chromium driven
 * by playwright-core, one fresh context (cookies, storage) per person at the desk, signed in through
 * the login form as a person would. Elements are found by the console contract's data-testid.
 */

/**
 * Where the tests' screenshots of the main screens go: docs/console (README.md there says what each
 * shows) only when asked, `CONSOLE_SCREENSHOTS=docs` (npm run docs:screenshots); else
 * .medbus/screenshots, so a plain test run leaves the working tree as it was.
 */
export const screenshotDir = process.env.CONSOLE_SCREENSHOTS === 'docs' ? join(root, 'docs', 'console') : join(root, '.medbus', 'screenshots');
const diagnosticsDir = join(root, '.medbus', 'logs');

/** The desk the issue asks the console to be usable at. */
export const viewport = { width: 1366, height: 768 } as const;

/** A console line kept for diagnosis; the cap keeps a chatty page from filling the test's memory. */
const consoleLinesKept = 500;

/**
 * Debian's Chromium, installed by the project's setup from Debian's packages (not a browser
 * playwright downloads), headless. QUIC, background networking, component updates and sync are off:
 * the browser talks to the test's own origin and nothing else.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath}: run npm run setup (it installs Debian's chromium package), or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    // The contexts' locale does not reach date inputs: Chromium draws them in its own UI language
    // (--lang, LANGUAGE on Linux), which needs Debian's chromium-l10n; with en-US alone, mm/dd/yyyy.
    env: { ...process.env, LANGUAGE: 'ru' },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=ru-RU'],
  });
}

/** "an operator signs in …" → "an-operator-signs-in": a file name from a test's sentence. */
function slugOf(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 80) || 'test';
}

/**
 * One person at the console: his own browser context, the page's console log kept for diagnosis,
 * and the number of document loads (a card that opens "by itself" opens without one).
 */
export class ConsolePerson {
  readonly consoleLines: string[] = [];
  /** Full document loads of the page since it was opened. */
  loads = 0;
  /** Every dialog (confirm before a cancellation) is accepted, as the person would, and noted. */
  readonly dialogs: string[] = [];
  /** Exceptions the console's scripts left uncaught. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly label: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => this.note(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => {
      this.pageErrors.push(error.message);
      this.note(`pageerror: ${error.message}`);
    });
    page.on('requestfailed', (request) => this.note(`requestfailed: ${request.method()} ${new URL(request.url()).pathname} ${request.failure()?.errorText ?? ''}`));
    page.on('load', () => {
      this.loads += 1;
    });
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.accept();
    });
  }

  /** A fresh context (no cookie of anyone else) at 1366×768, Russian, Moscow time, on the console's page. */
  static async open(browser: Browser, consoleUrl: string, label: string): Promise<ConsolePerson> {
    const context = await browser.newContext({ viewport, locale: 'ru-RU', timezoneId: 'Europe/Moscow', colorScheme: 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const person = new ConsolePerson(label, context, page);
    await page.goto(consoleUrl, { waitUntil: 'domcontentloaded' });
    return person;
  }

  private note(line: string): void {
    if (this.consoleLines.length < consoleLinesKept) this.consoleLines.push(`${new Date().toISOString()} ${line}`);
  }

  testId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** Elements of a data-testid with one attribute equal to a value (`row('slot-row', 'data-slot-id', id)`). */
  row(testId: string, attribute: string, value: string): Locator {
    return this.page.locator(`[data-testid="${testId}"][${attribute}="${cssString(value)}"]`);
  }

  /**
   * Signs in through the login form with an API key and, for an operator, his seat; resolves when the
   * shell shows who is signed in. Answers the session the shell shows (role and branch).
   */
  async signIn(apiKey: string, seat?: string): Promise<{ role: string | null; branch: string | null }> {
    await this.testId('login-key').fill(apiKey);
    if (seat !== undefined) await this.testId('login-seat').fill(seat);
    await this.testId('login-submit').click();
    const user = this.testId('session-user');
    await user.waitFor({ state: 'visible' });
    return { role: await user.getAttribute('data-role'), branch: await user.getAttribute('data-branch') };
  }

  /** Signs in with a key that must be refused; answers the login error's data-code. */
  async signInRefused(apiKey: string): Promise<string | null> {
    await this.testId('login-key').fill(apiKey);
    await this.testId('login-submit').click();
    const error = this.testId('login-error');
    await error.waitFor({ state: 'visible' });
    return error.getAttribute('data-code');
  }

  /**
   * Sets a form field whatever the screen made of it: a select gets the option with that value (else
   * that label), an input the text (a datetime-local input gets the day's midnight).
   */
  async setField(testId: string, value: string, scope: Locator | Page = this.page): Promise<void> {
    const field = scope.getByTestId(testId);
    const { tag, type } = await field.evaluate((element) => ({ tag: element.tagName, type: element.getAttribute('type') ?? '' }));
    if (tag === 'SELECT') {
      // selectOption waits until an option with the value is there (lists load after the screen).
      await field.selectOption({ value }, { timeout: 10_000 }).catch(async () => {
        await field.selectOption({ label: value }, { timeout: 2_000 });
      });
      return;
    }
    await field.fill(type === 'datetime-local' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : value);
  }

  /** Waits until an attribute of the (first) element satisfies `accept`; answers its value. */
  async attributeOf(locator: Locator, attribute: string, accept: (value: string | null) => boolean, what: string, timeoutMs = 15_000): Promise<string | null> {
    let last: string | null = null;
    return eventually(
      async () => {
        last = await locator.first().getAttribute(attribute, { timeout: 1_000 });
        return accept(last) ? { value: last } : undefined;
      },
      `${what} (last ${attribute}: ${String(last)})`,
      timeoutMs,
      100,
    ).then((found) => found.value);
  }

  /** The text a person reads on the page now. */
  pageText(): Promise<string> {
    return this.page.locator('body').innerText();
  }

  /** <screenshotDir>/<name>.png at 1366×768: the screen as the person sees it now. */
  async screenshot(name: string): Promise<string> {
    await mkdir(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name}.png`);
    await this.page.screenshot({ path, animations: 'disabled', caret: 'hide' });
    return path;
  }

  /** For a failed test: the screen and the page's console log in .medbus/logs/; answers the two paths. */
  async diagnose(testName: string): Promise<string[]> {
    await mkdir(diagnosticsDir, { recursive: true });
    const base = join(diagnosticsDir, `console-${slugOf(testName)}-${slugOf(this.label)}`);
    const written: string[] = [];
    try {
      await this.page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 });
      written.push(`${base}.png`);
    } catch (error) {
      this.note(`(no screenshot: ${error instanceof Error ? error.message : String(error)})`);
    }
    const lines = [`url: ${this.page.url()}`, `loads: ${this.loads}`, ...this.dialogs.map((d) => `dialog ${d}`), ...this.consoleLines];
    await writeFile(`${base}.console.log`, `${lines.join('\n')}\n`);
    written.push(`${base}.console.log`);
    return written;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

/** A value inside a CSS attribute selector's double quotes. */
function cssString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
