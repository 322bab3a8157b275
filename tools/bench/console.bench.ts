import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { namespaced } from '@medbus/kafka';
import { freePort, readStackEnv } from '@medbus/testing';
import { launchChromium, viewport } from '../e2e/console.browser';
import { clientsCli } from '../e2e/region.process';
import { deleteGroups } from './booking.bench';
import { contactCentreEnv, contactCentreOptionsFromEnv, PbxUnderTest, startService, waitServiceReady, type ServiceUnderTest } from './contact-centre.bench';
import { cpuSecondsOf, dropSchema, machineBusySeconds, rssMbOf, startBooking, type BookingUnderTest } from './pipeline.bench';
import { fillRegion, postgresSettings, referenceRegion, type RegionShape } from './search.bench';

/**
 * The operator console (issue 12) on the reference region, in Debian's Chromium: how long it takes to
 * load and to answer a slot search, beside the same searches without the browser.
 *
 * Every piece a real process: a booking service of the bench's own holding the reference region
 * (~2 M slots, filled as the search section fills it), a contact-centre service (its own schema and
 * consumer group, logged in at an idle PBX simulator) serving the built SPA and its backend-for-frontend
 * at /console/, and Chromium driven by playwright-core at 1366×768.
 *
 * Timings are taken inside the page on its own clock (performance.now(), 0 = navigation start), by an
 * init script: a MutationObserver notes when an element appears, and the frame after it (the next
 * animation frame, then a message task) is when the operator can see it. Playwright's own round trips
 * are left out.
 * - load: navigation start → the sign-in form painted, in a fresh context (no cache, no cookie);
 *   then the sign-in button pressed → the booking screen ready (its filters filled from the API);
 * - search: Enter / the search button pressed → the first result row of the new search painted; the
 *   page's Resource Timing gives the request's share, the rest is the browser's;
 * - beside each search, the very request the page sent, once through the backend-for-frontend (Node's
 *   fetch with the session cookie) and once straight at booking's `GET /v1/slots`.
 *
 * Alone, printing the figures: `npx tsx --tsconfig tsconfig.base.json tools/bench/console.bench.ts`
 * (stack up, `npm run build` first). Into docs/benchmarks.*, keeping the other sections:
 * `BENCH_ONLY=console npm run bench`. `BENCH_SEARCH_KEEP=1` keeps the region's schema (bench_search,
 * the search section's) for the next run, which then skips the fill.
 */

const root = join(__dirname, '..', '..');
const round = (n: number) => Math.round(n * 10) / 10;
const zone = 'Europe/Moscow';

export interface ConsoleOptions {
  readonly shape: RegionShape;
  /** Cold loads, each in a fresh browser context (BENCH_CONSOLE_LOADS). */
  readonly loads: number;
  /** Slot searches in the browser, each also replayed through the BFF and at booking (BENCH_CONSOLE_SEARCHES). */
  readonly searches: number;
  /** `missed` (default): a Chrome trace of a few loads and searches when a target is missed; `always`; `never`. */
  readonly profile: 'missed' | 'always' | 'never';
  /** Keep the region's schema for the next run (BENCH_SEARCH_KEEP=1, as the search section). */
  readonly keep: boolean;
  readonly targetMs: number;
}

export function consoleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ConsoleOptions {
  const profile = env.BENCH_CONSOLE_PROFILE ?? 'missed';
  if (profile !== 'missed' && profile !== 'always' && profile !== 'never') throw new Error('BENCH_CONSOLE_PROFILE must be missed, always or never');
  return {
    shape: referenceRegion,
    loads: Number(env.BENCH_CONSOLE_LOADS ?? 30),
    searches: Number(env.BENCH_CONSOLE_SEARCHES ?? 100),
    profile,
    keep: env.BENCH_SEARCH_KEEP === '1',
    targetMs: 1_000,
  };
}

export interface Spread {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function spreadOf(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

/** What the browser fetched for the console's first load, by kind (bytes on the wire, headers excluded). */
export interface FirstLoadTransfer {
  readonly requests: number;
  /** Body bytes as received (compressed if the server compressed), by resource type (document, script, stylesheet, fetch, …). */
  readonly bodyBytes: Record<string, number>;
  readonly headerBytes: number;
  /** Content-Encoding of the script and stylesheet answers ("identity" when none). */
  readonly encodings: Record<string, number>;
  /** Paths of the scripts and stylesheets the first screen fetched. */
  readonly assets: readonly string[];
  /**
   * Those files as built, and gzipped (level 6, as a gzipping server would send them); `allJsBytes` every
   * chunk of the build, the ones loaded later (a lazily loaded screen) included.
   */
  readonly built: { readonly jsBytes: number; readonly jsGzipBytes: number; readonly cssBytes: number; readonly cssGzipBytes: number; readonly htmlBytes: number; readonly allJsBytes: number };
}

/** CDP Performance metrics spent by the page during one search (ms): the browser's own work. */
export interface BrowserWork {
  readonly task: Spread;
  /** CPU time of the renderer's main thread (tasks are wall time: a task waiting for a core counts in them, not here). */
  readonly thread: Spread;
  readonly script: Spread;
  readonly layout: Spread;
  readonly style: Spread;
}

export interface TraceSummary {
  readonly file: string;
  readonly what: string;
  /** The timed windows found in the trace (press → painted, marked by the page), their total ms; the whole trace when none. */
  readonly windows: number;
  readonly windowMs: number;
  /** The renderer main thread's busy ms within them (wall), and its CPU ms: busy but without the CPU is a machine that is short of cores. */
  readonly busyMs: number;
  readonly cpuMs: number;
  /** Self time (ms) of the renderer main thread's events by name within the windows, the largest first. */
  readonly mainThread: ReadonlyArray<{ readonly name: string; readonly ms: number }>;
}

export interface ConsoleResult {
  readonly date: string;
  readonly browser: string;
  readonly viewport: { readonly width: number; readonly height: number };
  readonly region: { readonly organisations: number; readonly districts: number; readonly practitioners: number; readonly slots: number; readonly freeSlots: number; readonly filled: boolean };
  readonly target: { readonly p99Ms: number };
  readonly load: {
    readonly count: number;
    /** Navigation start → the sign-in form painted (fresh context). */
    readonly loginForm: Spread;
    /** Sign-in pressed → the booking screen ready (filters loaded). */
    readonly bookingReady: Spread;
    /** Navigation start → booking ready, less the time Playwright took to type the key. */
    readonly total: Spread;
    /** The sign-in request alone (Resource Timing). */
    readonly sessionRequest: Spread;
    /**
     * Where the time to the sign-in form goes (ms from navigation start, Navigation and Resource Timing):
     * the document received, the scripts received, the console's session check sent (its script has run
     * by then) and answered.
     */
    readonly stages: { readonly document: Spread; readonly scripts: Spread; readonly sessionCheckSent: Spread; readonly sessionCheckAnswered: Spread };
    readonly errors: number;
    readonly failures: Record<string, number>;
  };
  readonly transfer: FirstLoadTransfer;
  readonly search: {
    readonly count: number;
    readonly byKind: Record<string, Spread>;
    /** Pressed → the first row of the new results painted. */
    readonly browser: Spread;
    /** The page's request(s) for the search, fetch start → response end (Resource Timing). */
    readonly request: Spread;
    /** Pressed → request sent, and response end → rows painted: the browser's own share. */
    readonly browserOwn: Spread;
    /** The same request through the BFF (Node's fetch with the session cookie). */
    readonly bff: Spread;
    /** The same request straight at booking's GET /v1/slots with the operator's key. */
    readonly booking: Spread;
    /** Result rows on screen when the first painted (p50). */
    readonly rowsShown: number;
    readonly requestsPerSearch: number;
    readonly work: BrowserWork;
    /** CPU ms per search of the contact-centre service (the BFF) and of booking, over the whole pass. */
    readonly cpuMsPerSearch: { readonly contactCentre: number; readonly booking: number };
    readonly errors: number;
    readonly failures: Record<string, number>;
  };
  readonly rssMb: { readonly contactCentrePeak: number; readonly contactCentreEnd: number; readonly bookingPeak: number };
  /** The machine while the loads and searches ran (every process: the browser, the services, PostgreSQL, Kafka, anything else). */
  readonly machine: { readonly busyShare: number; readonly loadAverageBefore: number; readonly loadAverageAfter: number };
  readonly profile?: readonly TraceSummary[];
  readonly postgres: Record<string, string>;
}

/**
 * Runs in every page before the console's own scripts: notes when the elements the bench waits for
 * appear (and the frame after), and when the operator presses Enter or a submit button.
 */
const pageProbe = `(() => {
  const b = (window.__medbusBench = { seen: {}, painted: {}, armed: null });
  performance.mark('medbus-bench-start');
  const q = (id) => document.querySelector('[data-testid="' + id + '"]');
  const afterPaint = (done) => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => done(performance.now()); c.port2.postMessage(0); });
  const filled = (id) => {
    const el = q(id);
    if (!el) return false;
    if (el.tagName === 'SELECT') return el.options.length > 1;
    return el.list ? el.list.options.length > 0 : true;
  };
  b.bookingReady = () => {
    const submit = q('search-submit');
    return !!submit && !submit.disabled && filled('search-organisation') && filled('search-specialty') && filled('search-district') && !!q('org-row');
  };
  const check = () => {
    for (const id of ['login-key', 'login-submit']) {
      if (b.seen[id] === undefined && q(id)) { b.seen[id] = performance.now(); afterPaint((t) => { b.painted[id] = t; if (id === 'login-key') performance.mark('medbus-bench-end'); }); }
    }
    const a = b.armed;
    if (!a || a.seenAt !== undefined || a.startedAt === undefined) return;
    const refusal = q('refusal') || q('login-error');
    if (refusal && !a.refusals.has(refusal)) { a.seenAt = performance.now(); a.fail('refusal ' + (refusal.getAttribute('data-code') || '?')); return; }
    if (a.test()) { a.seenAt = performance.now(); a.rows = document.querySelectorAll('[data-testid="slot-row"]').length; afterPaint((t) => a.finish(t)); }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  const pressed = (event) => {
    const a = b.armed;
    if (!a || a.startedAt !== undefined) return;
    const submit = event.type === 'click' && event.target instanceof Element && event.target.closest('[data-testid="search-submit"],[data-testid="login-submit"]');
    if (submit || (event.type === 'keydown' && event.key === 'Enter')) { a.startedAt = performance.now(); performance.mark('medbus-bench-start'); queueMicrotask(check); }
  };
  addEventListener('keydown', pressed, true);
  addEventListener('click', pressed, true);
  b.arm = (kind) => {
    const before = new Set([...document.querySelectorAll('[data-testid="slot-row"]')].map((r) => r.getAttribute('data-slot-id')));
    performance.clearResourceTimings();
    const a = { kind, refusals: new Set(document.querySelectorAll('[data-testid="refusal"]')) };
    a.test = kind === 'booking' ? b.bookingReady : () => [...document.querySelectorAll('[data-testid="slot-row"]')].some((r) => !before.has(r.getAttribute('data-slot-id')));
    a.done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error((a.startedAt === undefined ? 'never pressed' : 'no result') + ' after 30 s')), 30000);
      a.fail = (why) => { clearTimeout(timer); reject(new Error(why)); };
      a.finish = (paintedAt) => {
        clearTimeout(timer);
        performance.mark('medbus-bench-end');
        const requests = performance.getEntriesByType('resource')
          .filter((e) => e.name.includes('/console/api/') && e.startTime >= a.startedAt - 1)
          .map((e) => ({ path: new URL(e.name).pathname + new URL(e.name).search, start: e.startTime, end: e.responseEnd }));
        resolve({ startedAt: a.startedAt, seenAt: a.seenAt, paintedAt, rows: a.rows ?? 0, requests });
      };
    });
    b.armed = a;
    return true;
  };
})();`;

interface Armed {
  readonly startedAt: number;
  readonly seenAt: number;
  readonly paintedAt: number;
  readonly rows: number;
  readonly requests: ReadonlyArray<{ readonly path: string; readonly start: number; readonly end: number }>;
}

async function freshContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU', timezoneId: zone, colorScheme: 'light' });
  await context.addInitScript({ content: pageProbe });
  return context;
}

const arm = (page: Page, kind: 'booking' | 'search') => page.evaluate(`window.__medbusBench.arm(${JSON.stringify(kind)})`);
const armedDone = (page: Page) => page.evaluate('window.__medbusBench.armed.done') as Promise<Armed>;

/** A select is set by its option's value (or label), any other field is typed into; null empties it. */
async function setFilter(page: Page, testId: string, value: string | null): Promise<void> {
  const field = page.getByTestId(testId);
  const tag = (await page.evaluate(`(document.querySelector('[data-testid="${testId}"]') || {}).tagName || ''`)) as string;
  try {
    if (tag === 'SELECT') await field.selectOption(value ?? '', { timeout: 15_000 });
    else await field.fill(value ?? '', { timeout: 15_000 });
  } catch (error) {
    throw new Error(`${testId} could not be set to ${value === null ? 'nothing' : 'its value'}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}

/** One search of the bench: its filters, as the operator would set them. */
export interface ConsoleSearch {
  readonly kind: string;
  readonly district: string | null;
  readonly organisation: string | null;
  readonly specialty: string | null;
  /** Local dates, YYYY-MM-DD, both inclusive. */
  readonly from: string;
  readonly to: string;
}

export const consoleSearchKinds = ['specialty in a district, 14 days', "one organisation's day", 'a specialty at one organisation, 14 days', "a district's day"] as const;

interface RegionFacts {
  readonly organisations: ReadonlyArray<{ readonly oid: string; readonly district: string }>;
  /** Specialties of each organisation's practitioners. */
  readonly specialtiesOf: ReadonlyMap<string, readonly string[]>;
  /** Local days that hold free slots in the future. */
  readonly days: readonly string[];
  readonly practitioners: number;
  readonly slots: number;
  readonly freeSlots: number;
}

async function regionFacts(databaseUrl: string, schema: string): Promise<RegionFacts> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    const orgs = await db.query<{ oid: string; district: string }>(
      `SELECT organisation_oid AS oid, district_id AS district FROM inventory_organisation WHERE active AND NOT removed AND district_id IS NOT NULL ORDER BY 1`,
    );
    const specialties = await db.query<{ oid: string; codes: string[] }>(
      `SELECT organisation_oid AS oid, array_agg(DISTINCT specialty_nsi_code ORDER BY specialty_nsi_code) AS codes FROM inventory_practitioner
       WHERE active AND NOT removed AND specialty_nsi_code IS NOT NULL GROUP BY 1`,
    );
    const days = await db.query<{ day: string }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day FROM generate_series(
         (SELECT (min(starts_at) AT TIME ZONE $1)::date FROM inventory_slot WHERE offered AND starts_at > now() + interval '1 day'),
         (SELECT (max(starts_at) AT TIME ZONE $1)::date FROM inventory_slot WHERE offered), interval '1 day') AS d`,
      [zone],
    );
    const counts = await db.query<{ slots: number; free: number; practitioners: number }>(
      `SELECT count(*)::int AS slots, count(*) FILTER (WHERE status = 'FREE')::int AS free,
              (SELECT count(*)::int FROM inventory_practitioner WHERE active AND NOT removed) AS practitioners FROM inventory_slot WHERE offered`,
    );
    return {
      organisations: orgs.rows,
      specialtiesOf: new Map(specialties.rows.map((r) => [r.oid, r.codes])),
      days: days.rows.map((r) => r.day),
      practitioners: counts.rows[0]?.practitioners ?? 0,
      slots: counts.rows[0]?.slots ?? 0,
      freeSlots: counts.rows[0]?.free ?? 0,
    };
  } finally {
    await db.end();
  }
}

/**
 * Search `i` of the bench: the four kinds in turn, each in another district than the search before
 * (so that no result row of one can be taken for the next's), organisations, specialties and days
 * stepped through at strides prime to their counts.
 */
export function consoleSearch(facts: RegionFacts, i: number): ConsoleSearch {
  const districts = [...new Set(facts.organisations.map((o) => o.district))].sort();
  const district = districts[(i * 7) % districts.length];
  const inDistrict = facts.organisations.filter((o) => o.district === district);
  const organisation = inDistrict[(i * 3) % inDistrict.length];
  const specialtiesIn = [...new Set(inDistrict.flatMap((o) => facts.specialtiesOf.get(o.oid) ?? []))].sort();
  const ofOrganisation = facts.specialtiesOf.get(organisation.oid) ?? [];
  const day = facts.days[(i * 5) % facts.days.length];
  const first = facts.days[0];
  const last = facts.days.at(-1) ?? first;
  const kind = consoleSearchKinds[i % consoleSearchKinds.length];
  switch (i % consoleSearchKinds.length) {
    case 0:
      return { kind, district, organisation: null, specialty: specialtiesIn[(i * 11) % specialtiesIn.length], from: first, to: last };
    case 1:
      return { kind, district, organisation: organisation.oid, specialty: null, from: day, to: day };
    case 2:
      return { kind, district, organisation: organisation.oid, specialty: ofOrganisation[(i * 13) % ofOrganisation.length], from: first, to: last };
    default:
      return { kind, district, organisation: null, specialty: null, from: day, to: day };
  }
}

/** Sets the filters of a search in the order an operator would (specialty and district cleared, district, organisation, specialty, days; each choice clears the practitioner). */
async function fillSearch(page: Page, search: ConsoleSearch): Promise<void> {
  // The last search's specialty and district narrow the organisations, and the districts offered are those of the
  // organisations listed: both are cleared first, as an operator must to reach another district.
  await setFilter(page, 'search-specialty', null);
  await setFilter(page, 'search-district', null);
  await setFilter(page, 'search-district', search.district);
  await setFilter(page, 'search-organisation', search.organisation);
  await setFilter(page, 'search-specialty', search.specialty);
  await setFilter(page, 'search-from', search.from);
  await setFilter(page, 'search-to', search.to);
}

/** The session cookie of a sign-in through the BFF, for Node's own requests. */
async function sessionCookie(consoleUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${consoleUrl}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-medbus-console': '1' },
    body: JSON.stringify({ apiKey }),
  });
  if (response.status !== 201) throw new Error(`the BFF refused the bench's sign-in: ${response.status} ${(await response.text()).slice(0, 300)}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('mb_console='));
  if (cookie === undefined) throw new Error('the BFF set no mb_console cookie');
  return cookie.split(';')[0];
}

async function timedGet(url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${new URL(url).pathname}`);
  return performance.now() - started;
}

const counted = (failures: Record<string, number>, error: unknown, screen?: string) => {
  const why = `${(error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 160)}${screen === undefined ? '' : ` [screen: ${screen}]`}`;
  failures[why] = (failures[why] ?? 0) + 1;
};

/** The screen's test ids and its first words, for a step that timed out (the bench's own key is never on screen: a password field). */
async function screenOf(page: Page): Promise<string> {
  return (await page
    .evaluate(`[...new Set([...document.querySelectorAll('[data-testid]')].map((e) => e.getAttribute('data-testid')))].slice(0, 12).join(',') + ' | ' + (document.body ? document.body.innerText.replace(/\\s+/g, ' ').slice(0, 80) : '')`)
    .catch(() => 'no page')) as string;
}

/** Cold loads: each a fresh context at /console/booking, signed in, until the booking screen is ready. */
async function measureLoads(browser: Browser, consoleUrl: string, apiKey: string, count: number, progress: (m: string) => void): Promise<{ load: ConsoleResult['load']; transfer: Omit<FirstLoadTransfer, 'built'> }> {
  const loginForm: number[] = [];
  const bookingReady: number[] = [];
  const total: number[] = [];
  const sessionRequest: number[] = [];
  const stages = { document: [] as number[], scripts: [] as number[], sessionCheckSent: [] as number[], sessionCheckAnswered: [] as number[] };
  const failures: Record<string, number> = {};
  let transfer: Omit<FirstLoadTransfer, 'built'> | undefined;
  for (let i = 0; i < count; i++) {
    const context = await freshContext(browser);
    const page = await context.newPage();
    try {
      const finished: Promise<void>[] = [];
      const first = { requests: 0, bodyBytes: {} as Record<string, number>, headerBytes: 0, encodings: {} as Record<string, number>, assets: [] as string[] };
      let counting = transfer === undefined;
      if (counting) {
        page.on('requestfinished', (request) => {
          if (!counting) return;
          finished.push(
            (async () => {
              const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
              const type = request.resourceType();
              first.requests++;
              first.bodyBytes[type] = (first.bodyBytes[type] ?? 0) + sizes.responseBodySize;
              first.headerBytes += sizes.responseHeadersSize;
              if (type === 'script' || type === 'stylesheet') {
                first.assets.push(new URL(request.url()).pathname);
                const encoding = (await response?.headerValue('content-encoding')) ?? 'identity';
                first.encodings[encoding] = (first.encodings[encoding] ?? 0) + 1;
              }
            })(),
          );
        });
      }
      await page.goto(`${consoleUrl}/console/booking`, { waitUntil: 'commit' });
      await page.getByTestId('login-key').waitFor({ state: 'visible', timeout: 30_000 });
      const formAt = (await page.waitForFunction('window.__medbusBench.painted["login-key"]', undefined, { timeout: 30_000 }).then((h) => h.jsonValue())) as number;
      if (counting) {
        // What the first screen cost: the requests finished by the time the form was painted.
        counting = false;
        await Promise.all(finished);
        transfer = first;
      }
      const timing = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        const scripts = resources.filter((e) => new URL(e.name).pathname.endsWith('.js'));
        const check = resources.find((e) => new URL(e.name).pathname === '/console/api/session');
        return { document: nav ? nav.responseEnd : NaN, scripts: Math.max(0, ...scripts.map((e) => e.responseEnd)), sent: check ? check.startTime : NaN, answered: check ? check.responseEnd : NaN };
      })()`)) as { document: number; scripts: number; sent: number; answered: number };
      const ready = await signIn(page, apiKey);
      const session = ready.requests.find((r) => r.path === '/console/api/session');
      loginForm.push(formAt);
      bookingReady.push(ready.paintedAt - ready.startedAt);
      total.push(formAt + ready.paintedAt - ready.startedAt);
      if (session) sessionRequest.push(session.end - session.start);
      stages.document.push(timing.document);
      stages.scripts.push(timing.scripts);
      if (Number.isFinite(timing.sent)) stages.sessionCheckSent.push(timing.sent);
      if (Number.isFinite(timing.answered)) stages.sessionCheckAnswered.push(timing.answered);
    } catch (error) {
      counted(failures, error, await screenOf(page));
    } finally {
      await context.close();
    }
    if ((i + 1) % 10 === 0) progress(`  ${i + 1} of ${count} cold loads`);
  }
  return {
    load: {
      count,
      loginForm: spreadOf(loginForm),
      bookingReady: spreadOf(bookingReady),
      total: spreadOf(total),
      sessionRequest: spreadOf(sessionRequest),
      stages: {
        document: spreadOf(stages.document),
        scripts: spreadOf(stages.scripts),
        sessionCheckSent: spreadOf(stages.sessionCheckSent),
        sessionCheckAnswered: spreadOf(stages.sessionCheckAnswered),
      },
      errors: Object.values(failures).reduce((a, n) => a + n, 0),
      failures,
    },
    transfer: transfer ?? { requests: 0, bodyBytes: {}, headerBytes: 0, encodings: {}, assets: [] },
  };
}

interface PerformanceMetrics {
  readonly task: number;
  readonly thread: number;
  readonly script: number;
  readonly layout: number;
  readonly style: number;
}

async function metricsOf(cdp: CDPSession): Promise<PerformanceMetrics> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return { task: value('TaskDuration'), thread: value('ThreadTime'), script: value('ScriptDuration'), layout: value('LayoutDuration'), style: value('RecalcStyleDuration') };
}

/** Types the key into the sign-in form and presses its button; resolves when the booking screen is ready. */
async function signIn(page: Page, apiKey: string): Promise<Armed> {
  await page.getByTestId('login-key').fill(apiKey);
  await arm(page, 'booking');
  await page.getByTestId('login-submit').click();
  return armedDone(page);
}

/** One signed-in page on the booking screen. */
async function signedInBookingPage(browser: Browser, consoleUrl: string, apiKey: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await freshContext(browser);
  const page = await context.newPage();
  try {
    await page.goto(`${consoleUrl}/console/booking`);
    await signIn(page, apiKey);
    return { context, page };
  } catch (error) {
    const screen = await screenOf(page);
    await context.close();
    throw new Error(`${(error as Error).message.split('\n')[0]} [screen: ${screen}]`, { cause: error });
  }
}

/** Presses Enter in the last filter on even searches, the search button on odd ones. */
async function press(page: Page, i: number): Promise<void> {
  if (i % 2 === 0) await page.getByTestId('search-to').press('Enter');
  else await page.getByTestId('search-submit').click();
}

async function measureSearches(
  page: Page,
  searches: readonly ConsoleSearch[],
  raw: { readonly consoleUrl: string; readonly cookie: string; readonly bookingUrl: string; readonly apiKey: string },
  cpu: { contactCentre(): number; booking(): number },
  progress: (m: string) => void,
): Promise<ConsoleResult['search']> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const samples: { kind: string; browser: number; request: number; own: number; bff: number; booking: number; rows: number; requests: number; work: PerformanceMetrics }[] = [];
  const failures: Record<string, number> = {};
  const cpuBefore = { contactCentre: cpu.contactCentre(), booking: cpu.booking() };
  for (const [i, search] of searches.entries()) {
    try {
      await fillSearch(page, search);
      const before = await metricsOf(cdp);
      await arm(page, 'search');
      await press(page, i);
      const done = await armedDone(page);
      const after = await metricsOf(cdp);
      const slots = done.requests.filter((r) => r.path.startsWith('/console/api/booking/v1/slots'));
      if (slots.length === 0) throw new Error('the page asked for no slots');
      const requestMs = Math.max(...slots.map((r) => r.end)) - Math.min(...slots.map((r) => r.start));
      // The very requests the page sent, again: through the BFF and at booking, in turn first.
      const viaBff = () => Promise.all(slots.map((r) => timedGet(`${raw.consoleUrl}${r.path}`, { cookie: raw.cookie }))).then((ms) => Math.max(...ms));
      const atBooking = () =>
        Promise.all(slots.map((r) => timedGet(`${raw.bookingUrl}${r.path.slice('/console/api/booking'.length)}`, { authorization: `Bearer ${raw.apiKey}` }))).then((ms) => Math.max(...ms));
      const [bff, booking] = i % 2 === 0 ? [await viaBff(), await atBooking()] : await atBooking().then(async (b) => [await viaBff(), b]);
      samples.push({
        kind: search.kind,
        browser: done.paintedAt - done.startedAt,
        request: requestMs,
        own: done.paintedAt - done.startedAt - requestMs,
        bff,
        booking,
        rows: done.rows,
        requests: done.requests.length,
        work: { task: after.task - before.task, thread: after.thread - before.thread, script: after.script - before.script, layout: after.layout - before.layout, style: after.style - before.style },
      });
    } catch (error) {
      counted(failures, error, await screenOf(page));
    }
    if ((i + 1) % 25 === 0) progress(`  ${i + 1} of ${searches.length} searches`);
  }
  const cpuMs = (now: number, before: number) => round(((now - before) * 1000) / Math.max(1, searches.length));
  const byKind: Record<string, Spread> = {};
  for (const kind of consoleSearchKinds) byKind[kind] = spreadOf(samples.filter((s) => s.kind === kind).map((s) => s.browser));
  await cdp.detach();
  return {
    count: searches.length,
    byKind,
    browser: spreadOf(samples.map((s) => s.browser)),
    request: spreadOf(samples.map((s) => s.request)),
    browserOwn: spreadOf(samples.map((s) => s.own)),
    bff: spreadOf(samples.map((s) => s.bff)),
    booking: spreadOf(samples.map((s) => s.booking)),
    rowsShown: spreadOf(samples.map((s) => s.rows)).p50,
    requestsPerSearch: spreadOf(samples.map((s) => s.requests)).p50,
    work: {
      task: spreadOf(samples.map((s) => s.work.task)),
      thread: spreadOf(samples.map((s) => s.work.thread)),
      script: spreadOf(samples.map((s) => s.work.script)),
      layout: spreadOf(samples.map((s) => s.work.layout)),
      style: spreadOf(samples.map((s) => s.work.style)),
    },
    cpuMsPerSearch: { contactCentre: cpuMs(cpu.contactCentre(), cpuBefore.contactCentre), booking: cpuMs(cpu.booking(), cpuBefore.booking) },
    errors: Object.values(failures).reduce((a, n) => a + n, 0),
    failures,
  };
}

/** The built files the first screen fetched (paths under /console/), as they are and gzipped. */
function builtSizes(consoleDir: string, assets: readonly string[]): FirstLoadTransfer['built'] {
  const files = assets.map((path) => join(consoleDir, path.replace(/^\/console\//, ''))).filter((file) => existsSync(file));
  const sum = (ext: string, gzip: boolean) =>
    files.filter((f) => f.endsWith(ext)).reduce((n, f) => n + (gzip ? gzipSync(readFileSync(f), { level: 6 }).length : statSync(f).size), 0);
  const chunks = join(consoleDir, 'assets');
  const allJsBytes = existsSync(chunks) ? readdirSync(chunks).filter((name) => name.endsWith('.js')).reduce((n, name) => n + statSync(join(chunks, name)).size, 0) : 0;
  const html = join(consoleDir, 'index.html');
  return { jsBytes: sum('.js', false), jsGzipBytes: sum('.js', true), cssBytes: sum('.css', false), cssGzipBytes: sum('.css', true), htmlBytes: existsSync(html) ? statSync(html).size : 0, allJsBytes };
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  /** Thread (CPU) time of the slice, where the trace records it. */
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/**
 * Where the renderer's main thread spent the timed windows of a Chrome trace: the page marks its
 * document's start and each press (medbus-bench-start), the sign-in form and each result painted
 * (medbus-bench-end); self time by event name
 * (a parent's time less its children's), so wrappers such as RunTask do not hide what ran inside.
 */
export function summariseTrace(file: string, what: string): TraceSummary {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const marks = events.filter((e) => e.name === 'medbus-bench-start' || e.name === 'medbus-bench-end').sort((a, b) => a.ts - b.ts);
  const windows: { from: number; to: number }[] = [];
  for (const [i, mark] of marks.entries()) if (mark.name === 'medbus-bench-start' && marks[i + 1]?.name === 'medbus-bench-end') windows.push({ from: mark.ts, to: marks[i + 1].ts });
  const slices = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`))
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const inWindow = (ts: number) => windows.length === 0 || windows.some((w) => ts >= w.from && ts < w.to);
  // Per thread, the slices still open around each one: its parent is the innermost.
  const open = new Map<string, TraceEvent[]>();
  const self = new Map<TraceEvent, number>();
  let cpu = 0;
  for (const e of slices) {
    const thread = `${e.pid}:${e.tid}`;
    const stack = open.get(thread) ?? [];
    open.set(thread, stack);
    while (stack.length > 0 && (stack[stack.length - 1].ts + (stack[stack.length - 1].dur ?? 0)) <= e.ts) stack.pop();
    const parent = stack.at(-1);
    // Top-level slices' thread time is the thread's CPU time (their children's is inside it).
    if (parent === undefined && inWindow(e.ts)) cpu += (e.tdur ?? 0) / 1000;
    if (parent !== undefined) self.set(parent, (self.get(parent) ?? 0) - (e.dur ?? 0));
    self.set(e, (self.get(e) ?? 0) + (e.dur ?? 0));
    stack.push(e);
  }
  const byName = new Map<string, number>();
  let busy = 0;
  for (const [e, us] of self) {
    if (!inWindow(e.ts)) continue;
    byName.set(e.name, (byName.get(e.name) ?? 0) + us / 1000);
    busy += us / 1000;
  }
  const mainThread = [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, ms]) => ({ name, ms: round(ms) }));
  const windowMs = windows.length === 0 ? (slices.length > 0 ? (Math.max(...slices.map((e) => e.ts + (e.dur ?? 0))) - slices[0].ts) / 1000 : 0) : windows.reduce((n, w) => n + (w.to - w.from) / 1000, 0);
  return { file: file.slice(root.length + 1), what, windows: windows.length, windowMs: round(windowMs), busyMs: round(busy), cpuMs: round(cpu), mainThread };
}

/** A Chrome trace of a few cold loads and searches: where the browser's time goes. */
async function tracePass(browser: Browser, consoleUrl: string, apiKey: string, searches: readonly ConsoleSearch[], progress: (m: string) => void): Promise<TraceSummary[]> {
  const dir = join(root, '.medbus', 'logs', `bench-console-trace-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'toplevel'];
  const summaries: TraceSummary[] = [];
  progress('  tracing a cold load and 8 searches in Chromium');
  {
    const context = await freshContext(browser);
    const page = await context.newPage();
    const file = join(dir, 'load.json');
    await browser.startTracing(page, { path: file, categories });
    try {
      await page.goto(`${consoleUrl}/console/booking`);
      await signIn(page, apiKey);
    } catch (error) {
      throw new Error(`${(error as Error).message.split('\n')[0]} [screen: ${await screenOf(page)}]`, { cause: error });
    } finally {
      await browser.stopTracing();
      await context.close();
    }
    summaries.push(summariseTrace(file, 'a cold load: the document → the sign-in form painted, and sign-in pressed → the booking screen ready'));
  }
  const { context, page } = await signedInBookingPage(browser, consoleUrl, apiKey);
  const file = join(dir, 'search.json');
  try {
    await browser.startTracing(page, { path: file, categories });
    for (const [i, search] of searches.slice(0, 8).entries()) {
      await fillSearch(page, search);
      await arm(page, 'search');
      await press(page, i);
      await armedDone(page);
    }
  } finally {
    await browser.stopTracing().catch(() => undefined);
    await context.close();
  }
  summaries.push(summariseTrace(file, 'search pressed → rows painted, 8 searches'));
  return summaries;
}

export async function measureConsole(env: Record<string, string>, options: ConsoleOptions, progress: (m: string) => void): Promise<ConsoleResult> {
  const runId = Date.now().toString(36);
  const regionRun = options.keep ? 'search' : `console${runId}`;
  const schema = `bench_ccconsole_${runId}`;
  const group = `bench-ccconsole-${runId}`;
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/medbus';
  const consoleDir = join(root, 'dist', 'operator-console');
  if (!existsSync(join(consoleDir, 'index.html'))) throw new Error(`no built console in ${consoleDir}: npm run build first`);
  progress(`console: a booking service of the bench with the reference region (${options.shape.organisations} organisations, ${options.shape.organisations * options.shape.practitionersPerOrganisation} practitioners)`);
  const booking: BookingUnderTest = await startBooking(env, await freePort(), regionRun);
  const pbx = new PbxUnderTest(await freePort(), await freePort(), contactCentreOptionsFromEnv());
  const service: ServiceUnderTest = { url: `http://127.0.0.1:${await freePort()}`, env: {} };
  let browser: Browser | undefined;
  const peak = { contactCentre: 0, booking: 0 };
  const sampler = setInterval(() => {
    if (service.process?.alive()) peak.contactCentre = Math.max(peak.contactCentre, rssMbOf(service.process.child.pid as number));
    peak.booking = Math.max(peak.booking, booking.rssMb());
  }, 250);
  try {
    const fill = await fillRegion(databaseUrl, booking.schema, options.shape, progress);
    await freshenHeartbeats(databaseUrl, booking.schema);
    const facts = await regionFacts(databaseUrl, booking.schema);
    const serviceKey = await clientsCli(booking.schema, ['issue', '--client', `bench-console-cc-${runId}`, '--role', 'CONTACT_CENTRE'], databaseUrl);
    await pbx.start('telephony-simulator-console');
    Object.assign(service.env, {
      ...env,
      ...contactCentreEnv({ service, databaseUrl, schema, group, booking, serviceKey, pbx, clientId: `bench-console-${runId}` }),
      CC_CONSOLE_DIR: consoleDir,
    });
    progress('console: the contact-centre service starts (serving dist/operator-console) and logs in at an idle PBX');
    service.process = startService(service, '', 'contact-center-console');
    await waitServiceReady(service, service.process);
    const running = service.process;

    browser = await launchChromium();
    const machineBefore = { busy: machineBusySeconds(), at: performance.now(), load: loadavg()[0] };
    const searches = Array.from({ length: options.searches }, (_, i) => consoleSearch(facts, i));
    progress(`console: ${options.loads} cold loads in fresh contexts (${await browser.version()}, ${viewport.width}×${viewport.height})`);
    // One load untimed first: the services' first answers (JIT, pools, the BFF's first proxying) are not a cold browser's.
    await signedInBookingPage(browser, service.url, booking.apiKey).then(({ context }) => context.close());
    const { load, transfer } = await measureLoads(browser, service.url, booking.apiKey, options.loads, progress);
    progress(`  sign-in form: p50 ${load.loginForm.p50} ms, p99 ${load.loginForm.p99} ms; sign-in → booking ready: p50 ${load.bookingReady.p50} ms, p99 ${load.bookingReady.p99} ms; ${load.errors} errors`);

    progress(`console: ${options.searches} slot searches in the browser, each again through the BFF and at booking`);
    const { context, page } = await signedInBookingPage(browser, service.url, booking.apiKey);
    const cookie = await sessionCookie(service.url, booking.apiKey);
    let search: ConsoleResult['search'];
    try {
      search = await measureSearches(
        page,
        searches,
        { consoleUrl: service.url, cookie, bookingUrl: booking.url, apiKey: booking.apiKey },
        { contactCentre: () => cpuSecondsOf(running.child.pid as number), booking: () => booking.cpuSeconds() },
        progress,
      );
    } finally {
      await context.close();
    }
    progress(
      `  browser: p50 ${search.browser.p50} ms, p99 ${search.browser.p99} ms (request ${search.request.p50}/${search.request.p99}); through the BFF p50 ${search.bff.p50} ms, p99 ${search.bff.p99} ms; ` +
        `booking p50 ${search.booking.p50} ms, p99 ${search.booking.p99} ms; ${search.errors} errors`,
    );
    const busyShare = (machineBusySeconds() - machineBefore.busy) / (((performance.now() - machineBefore.at) / 1000) * cpus().length);
    const machine = { busyShare: Math.round(busyShare * 100) / 100, loadAverageBefore: round(machineBefore.load), loadAverageAfter: round(loadavg()[0]) };
    const missed = load.loginForm.p99 >= options.targetMs || load.bookingReady.p99 >= options.targetMs || search.browser.p99 >= options.targetMs || load.errors > 0 || search.errors > 0;
    let profile: TraceSummary[] | undefined;
    if (options.profile === 'always' || (options.profile === 'missed' && missed)) {
      // A failed trace costs the figures nothing: its failure is reported in their place.
      profile = await tracePass(browser, service.url, booking.apiKey, searches, progress).catch(async (error: unknown) => {
        progress(`  the trace failed: ${(error as Error).message.split('\n')[0]}`);
        return [{ file: '', what: `no trace: ${(error as Error).message.split('\n')[0]}`, windows: 0, windowMs: 0, busyMs: 0, cpuMs: 0, mainThread: [] }];
      });
    }
    return {
      date: new Date().toISOString(),
      browser: await browser.version(),
      viewport,
      region: {
        organisations: facts.organisations.length,
        districts: new Set(facts.organisations.map((o) => o.district)).size,
        practitioners: facts.practitioners,
        slots: facts.slots,
        freeSlots: facts.freeSlots,
        filled: fill.filled,
      },
      target: { p99Ms: options.targetMs },
      load,
      transfer: { ...transfer, built: builtSizes(consoleDir, transfer.assets) },
      search,
      machine,
      rssMb: { contactCentrePeak: peak.contactCentre, contactCentreEnd: rssMbOf(running.child.pid as number), bookingPeak: peak.booking },
      ...(profile ? { profile } : {}),
      postgres: await postgresSettings(databaseUrl),
    };
  } finally {
    clearInterval(sampler);
    await browser?.close().catch(() => undefined);
    await service.process?.stop(10_000);
    await pbx.process?.stop();
    await booking.stop();
    await dropSchema(databaseUrl, schema).catch(() => undefined);
    if (!options.keep) await dropSchema(databaseUrl, booking.schema).catch(() => undefined);
    await deleteGroups(env, [namespaced(group, booking.namespace), namespaced(`bench-${regionRun}`, booking.namespace), namespaced(`bench-${regionRun}-outcomes`, booking.namespace)]);
  }
}

/**
 * A kept region's heartbeats are as old as its fill: they are dated now, so that its organisations
 * are fresh (the fill's heartbeats promise one an hour), as the console shows a live region.
 */
async function freshenHeartbeats(databaseUrl: string, schema: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  try {
    await db.query(`UPDATE inventory_organisation_heartbeat SET heartbeat_at = now(), last_successful_sync_at = now()`);
  } finally {
    await db.end();
  }
}

const spreadText = (s: Spread) => `p50 ${s.p50} ms, **p99 ${s.p99} ms**, max ${s.max} ms`;
const kB = (bytes: number) => `${round(bytes / 1024)} kB`;

/** docs/benchmarks.md: the console's rows against the targets. */
export function consoleRows(r: ConsoleResult): string {
  const l = r.load;
  const s = r.search;
  const under = (x: Spread) => (x.p99 < r.target.p99Ms ? 'under' : '**over**');
  return [
    `| operator console: cold load in Chromium (${l.count} fresh contexts, ${r.viewport.width}×${r.viewport.height}), navigation start → sign-in form painted | < 1 s (p99) | ${spreadText(l.loginForm)} (${under(l.loginForm)} 1 s); ${l.errors} errors |`,
    `| operator console: sign-in pressed → booking screen ready (filters of the ${r.region.organisations} organisations and their specialties loaded) | < 1 s (p99) | ${spreadText(l.bookingReady)} (${under(l.bookingReady)} 1 s); the whole load with sign-in ${spreadText(l.total)} |`,
    `| operator console: slot search on ${r.region.slots.toLocaleString('en')} slots (${s.count} searches, varied filters), Enter / Search pressed → result rows painted | < 1 s (p99) | ${spreadText(s.browser)} (${under(s.browser)} 1 s); the same requests through the BFF ${spreadText(s.bff)}, at booking ${spreadText(s.booking)}; ${s.errors} errors |`,
  ].join('\n');
}

/** docs/benchmarks.md: the console's first load beside the raw limits. */
export function consoleRawRow(r: ConsoleResult): string {
  const t = r.transfer;
  const wire = Object.values(t.bodyBytes).reduce((a, n) => a + n, 0);
  return `| the operator console's first screen (${r.date}): bytes the browser received until the sign-in form, and its built JS/CSS gzipped | ${kB(wire)} in ${t.requests} requests (scripts and styles sent with Content-Encoding ${Object.entries(t.encodings)
    .map(([e, n]) => `${e} × ${n}`)
    .join(', ')}); its JS ${kB(t.built.jsBytes)} (${kB(t.built.jsGzipBytes)} gzipped), CSS ${kB(t.built.cssBytes)} (${kB(t.built.cssGzipBytes)} gzipped); all the build's JS chunks ${kB(t.built.allJsBytes)} | ${kB(t.built.jsBytes)} of script parsed and run before the form shows; at 10 Mbit/s (an assumed branch link) ${round((wire * 8) / 10_000)} ms as served, ${round(((t.built.jsGzipBytes + t.built.cssGzipBytes) * 8) / 10_000)} ms gzipped |`;
}

/** Which targets the run missed, in words, before the traces that explain them. */
function missedText(r: ConsoleResult, cores: number): string {
  const missed = [
    r.load.loginForm.p99 >= r.target.p99Ms ? `the sign-in form (p99 ${r.load.loginForm.p99} ms)` : '',
    r.load.bookingReady.p99 >= r.target.p99Ms ? `the booking screen after sign-in (p99 ${r.load.bookingReady.p99} ms)` : '',
    r.search.browser.p99 >= r.target.p99Ms ? `the slot search (p99 ${r.search.browser.p99} ms)` : '',
  ].filter(Boolean);
  if (missed.length === 0) return '';
  return `Missed the 1 s target: ${missed.join(', ')}, with the machine's cores ${Math.round(r.machine.busyShare * 100)} % busy meanwhile (1-minute load average up to ${Math.max(r.machine.loadAverageBefore, r.machine.loadAverageAfter)} on ${cores} cores).\n`;
}

/** docs/benchmarks.md: how the console was measured, and where its time goes. */
export function consoleNotes(r: ConsoleResult, cores: number): string {
  const s = r.search;
  const pg = r.postgres;
  const kinds = Object.entries(s.byKind)
    .map(([kind, x]) => `${kind} p50 ${x.p50} / p99 ${x.p99} ms`)
    .join('; ');
  const failures = (f: Record<string, number>) => (Object.keys(f).length === 0 ? 'none' : Object.entries(f).map(([why, n]) => `${why} × ${n}`).join('; '));
  return `
### Operator console (measured ${r.date})

A booking service of the bench's own holding the reference region (${r.region.organisations} organisations in ${r.region.districts} districts, ${r.region.practitioners.toLocaleString('en')} practitioners,
${r.region.slots.toLocaleString('en')} offered slots, ${r.region.freeSlots.toLocaleString('en')} free, ${r.region.filled ? 'filled by this section as the search section fills it' : "kept from an earlier run's fill"}, then \`VACUUM (ANALYZE)\`), a contact-centre
service of its own (schema, consumer group, an idle PBX simulator) serving the built console (\`CC_CONSOLE_DIR\`) and its backend at /console/, an
OPERATOR's key, and ${r.browser} (Debian's, headless, through playwright-core) at ${r.viewport.width}×${r.viewport.height}, all on this machine.
Times are read inside the page (its clock starts at navigation start): an init script notes when an element appears and the frame after
it, and when Enter or a submit button is pressed; Playwright's round trips are not in them. A load is a fresh browser context (no cache,
no cookie) opening /console/booking: the sign-in form painted, then the key typed, and from the press of the sign-in button until the
booking screen's filters (district, organisation, specialty) are filled from the API, the organisations listed with their freshness, and its search button is enabled. One load before is untimed
(the services' first answers). On the way to the sign-in form (p50 / p99 ms from navigation start): the document received ${r.load.stages.document.p50} / ${r.load.stages.document.p99},
the scripts received ${r.load.stages.scripts.p50} / ${r.load.stages.scripts.p99}, the console's session check sent (its script has run) ${r.load.stages.sessionCheckSent.p50} / ${r.load.stages.sessionCheckSent.p99} and
answered ${r.load.stages.sessionCheckAnswered.p50} / ${r.load.stages.sessionCheckAnswered.p99}, the form painted ${r.load.loginForm.p50} / ${r.load.loginForm.p99}. The sign-in request alone: p50 ${r.load.sessionRequest.p50} ms, p99 ${r.load.sessionRequest.p99} ms. Load failures: ${failures(r.load.failures)}.

The ${s.count} searches go in one signed-in page, the filters set as an operator sets them, the four kinds in turn, each in another district
than the one before (so no row of a search can pass for the next's): ${kinds}. A search ends when the first result row not on screen before
it is painted (${s.rowsShown} rows on screen then, p50; ${s.requestsPerSearch} API request(s) per search). Of the browser's time, its request(s) for slots from
fetch start to response end took ${spreadText(s.request)}; the rest, the browser's own (press → request, response → rows painted), ${spreadText(s.browserOwn)}.
The renderer's work per search (CDP Performance metrics): tasks p50 ${s.work.task.p50} ms / p99 ${s.work.task.p99} ms (the main thread on a CPU ${s.work.thread.p50} / ${s.work.thread.p99}), of which script ${s.work.script.p50} / ${s.work.script.p99},
layout ${s.work.layout.p50} / ${s.work.layout.p99}, style ${s.work.style.p50} / ${s.work.style.p99}. Right after each, the very request the page sent is sent again by the bench (Node's fetch), through the
BFF with the session's cookie and straight at booking's \`GET /v1/slots\` with the operator's key, in turn first: these see the
query's pages already in PostgreSQL's cache, so they bound what the browser could get. CPU per search: contact-centre service ${s.cpuMsPerSearch.contactCentre} ms,
booking ${s.cpuMsPerSearch.booking} ms (over the whole pass: the catalogue requests the filter changes make and the bench's repeats included). Search failures: ${failures(s.failures)}.
The machine meanwhile: ${Math.round(r.machine.busyShare * 100)} % of its cores busy (everything on it), 1-minute load average ${r.machine.loadAverageBefore} before and ${r.machine.loadAverageAfter} after.
RSS of the contact-centre service serving the console: peak ${r.rssMb.contactCentrePeak} MB, ${r.rssMb.contactCentreEnd} MB at the end; booking peak ${r.rssMb.bookingPeak} MB.
PostgreSQL ${pg['server_version'] ?? '?'}: shared_buffers ${pg['shared_buffers'] ?? '?'}, autovacuum ${pg['autovacuum'] ?? '?'}, work_mem ${pg['work_mem'] ?? '?'}, effective_cache_size ${pg['effective_cache_size'] ?? '?'}, jit ${pg['jit'] ?? '?'}.
${
    r.profile
      ? `
${missedText(r, cores)}Chrome traces (${r.profile.map((p) => p.file).join(', ')}), taken after the measurements on the same services: the renderer main thread's
self time by event (ms) within the timed windows; its busy time is wall time, and a task waiting for a core counts in it, not in its CPU time:
${r.profile.map((p) => `- ${p.what} (${p.windows} windows, ${p.windowMs} ms; main thread busy ${p.busyMs} ms, of it on a CPU ${p.cpuMs} ms, ${p.busyMs > 0 ? Math.round((100 * p.cpuMs) / p.busyMs) : 0} %): ${p.mainThread.map((e) => `${e.name} ${e.ms}`).join(', ')}`).join('\n')}
`
      : ''
  }`;
}

if (require.main === module) {
  measureConsole(readStackEnv(), consoleOptionsFromEnv(), (message) => process.stdout.write(`[bench] ${message}\n`)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
