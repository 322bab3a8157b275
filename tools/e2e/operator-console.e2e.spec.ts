import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ConsolePerson, launchChromium } from './console.browser';
import { ContactCentre, type CallbackTask, type CallbackTaskDetail } from './contact-centre.process';
import { Region, clientsCli, eventually, root, type SimDoctor, type SimSlot } from './region.process';

/**
 * The operator console in Debian's Chromium against the real demo stack (issue 12), every process
 * real: the HubService simulator (the clinics' MIS), its adapter and the booking service; the PBX
 * simulator and the contact-centre service serving the console and its backend. People sign in
 * through the login form with the keys booking issued; the oracles are the MIS simulator's and the
 * PBX's own records and the contact-centre API, never the console itself.
 */

interface SimPatient {
  readonly idPat: string;
  readonly policyNumber: string;
  readonly bookings: readonly { readonly idAppointment: string }[];
}

interface OrganisationView {
  readonly organisationOid: string;
  readonly districtId: string | null;
  readonly freshness: { readonly stale: boolean };
}

interface CallFigures {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly serviceLevelPercent: number | null;
  readonly averageWaitSeconds: number | null;
  readonly waitTalkRatio: { readonly wait: number; readonly talk: number } | null;
  readonly lost: { readonly returned: number };
}

interface CallStatistics {
  readonly branches: readonly (CallFigures & { readonly branch: string })[];
  readonly consolidated: CallFigures;
}

interface QueueFigures {
  readonly waiting: number;
  readonly longestWaitSeconds: number;
  readonly operators: { readonly loggedIn: number };
}

interface LiveStatistics {
  readonly queues: { readonly branches: readonly (QueueFigures & { readonly branch: string })[]; readonly consolidated: QueueFigures };
}

/** The console's KPI elements and the API figure each shows, read with the same key (console contract). */
const kpiFigures: Readonly<Record<string, (day: CallFigures, queue: QueueFigures) => number | null | undefined>> = {
  'kpi-waiting': (_, queue) => queue.waiting,
  'kpi-longest-wait': (_, queue) => queue.longestWaitSeconds,
  'kpi-operators-online': (_, queue) => queue.operators.loggedIn,
  'kpi-offered': (day) => day.offered,
  'kpi-answered': (day) => day.answered,
  'kpi-abandoned': (day) => day.abandoned,
  'kpi-service-level': (day) => day.serviceLevelPercent,
  'kpi-average-wait': (day) => day.averageWaitSeconds,
  'kpi-wait-share': (day) => day.waitTalkRatio?.wait,
  'kpi-lost-returned': (day) => day.lost.returned,
};

/** Specialties with a rule of the MIS (sex, age, attachment) or no NSI code: not the doctor a test books. */
const ruledSpecialties = ['TER', 'PED', 'GIN', 'PROF'];

// Four clinics in two districts (the simulator gives ⌈n/3⌉ districts, organisations dealt in turn):
// the patient lives in one district and is booked at a clinic of the other.
const region = new Region({ name: 'console', organisations: 4, doctorsPerOrg: 3, horizonDays: 5 });
const builtConsole = join(root, 'dist', 'operator-console');
// The service serves a copy of the build: a rebuild while the file runs (vite empties its output
// first) does not pull the pages from under the browser.
const servedConsole = join(root, '.medbus', 'tmp', `operator-console-${region.runId}`);
const centre = new ContactCentre(region, {
  consoleDir: servedConsole,
  // One operator in Sochi: an injected call connects to PJSIP/sochi-op01 and nobody else; he never
  // pauses and never lets a ring go unanswered, so the call connects at once.
  queues: 'head:2,sochi:1,novorossiysk:1',
  pbxArgs: ['--ring-no-answer-share', '0', '--pause-every-seconds', '0'],
  // Operators dial call-backs themselves (the click is the only dial); a failed one is retried an hour
  // later, so a task the test keeps open stays open; the dashboard's live figures every half second.
  env: { CC_CALLBACK_AUTODIAL: 'false', CC_CALLBACK_RETRY_MINUTES: '60,120', CC_CONSOLE_LIVE_MS: '500' },
});
const sochiSeat = 'PJSIP/sochi-op01';
const suite = 'operator console in Chromium: console → contact centre and booking → PBX and MIS';

let browser: Browser | undefined;
const people: ConsolePerson[] = [];
let doctors: SimDoctor[] = [];
/** The patient's own clinic, and the clinic of another district where he is booked. */
let home = { oid: '', idLpu: 0, district: '' };
let away = { oid: '', idLpu: 0, district: '' };
let awayDoctor: SimDoctor | undefined;
/** An operator's key booking issued and then revoked. */
let revokedKey = '';

const digitsOf = (text: string): string => text.replace(/\D/g, '');
const aPhone = (prefix: string): string => `${prefix}${randomInt(1_000_000, 9_999_999)}`;
const slotIdOf = (oid: string, slot: SimSlot): string => `${oid}:${slot.IdAppointment}`;

async function person(label: string): Promise<ConsolePerson> {
  if (!browser) throw new Error('the browser did not start');
  const opened = await ConsolePerson.open(browser, centre.consoleUrl, label);
  people.push(opened);
  return opened;
}

/**
 * Every page ends the test without an uncaught exception of the console's own. On failure: each open
 * page's screen and console log in .medbus/logs/, and the services' log tails.
 */
const withLogs = (body: () => Promise<void>) => async () => {
  try {
    await body();
    expect(people.flatMap((p) => p.pageErrors.map((message) => `${p.label}: ${message}`))).toEqual([]);
  } catch (error) {
    const name = (expect.getState().currentTestName ?? 'operator console').replace(`${suite} `, '');
    const written = (await Promise.all(people.map((p) => p.diagnose(name).catch(() => [])))).flat();
    console.log(`browser diagnosis: ${written.join(', ') || '(none)'}`);
    console.log(region.logs());
    console.log(centre.logs());
    throw error;
  } finally {
    await Promise.all(people.splice(0).map((p) => p.close()));
  }
};

async function inject(queue: string, callerNumber: string, outcome: 'ABANDON' | 'ANSWER', waitSeconds: number, talkSeconds = 1): Promise<string> {
  return (await centre.pbxCall<{ uniqueid: string }>('POST', '/admin/calls', { queue, callerNumber, outcome, waitSeconds, talkSeconds })).uniqueid;
}

const taskOf = (key: string, uniqueid: string): Promise<CallbackTaskDetail> => centre.callbackTaskOf(key, uniqueid);

/** Two free slots of a doctor on one day after today (clinic-local), the MIS's own view. */
async function twoFreeSlotsOf(doctor: SimDoctor): Promise<[SimSlot, SimSlot]> {
  const { today } = await region.simCall<{ today: string }>('GET', '/admin/state');
  const free = (await region.simCall<SimSlot[]>('GET', `/admin/slots?idLpu=${doctor.idLpu}&idDoc=${doctor.idDoc}&state=free`))
    .filter((s) => s.VisitStart.slice(0, 10) > today)
    .sort((a, b) => a.VisitStart.localeCompare(b.VisitStart));
  for (const slot of free) {
    const sameDay = free.filter((s) => s.VisitStart.slice(0, 10) === slot.VisitStart.slice(0, 10) && s !== slot);
    if (sameDay.length > 0) return [slot, sameDay[0]];
  }
  throw new Error(`doctor ${doctor.idDoc} has no day with two free slots`);
}

const simSlot = (slot: SimSlot): Promise<SimSlot> => region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(slot.IdAppointment)}`);

/** The figures the dashboard should show for a scope (a branch, or null: consolidated), from the API, as data-value strings. */
async function apiKpis(key: string, scope: string | null): Promise<Record<string, string>> {
  const [calls, live] = await Promise.all([
    centre.api<CallStatistics>(key, 'GET', `/v1/statistics/calls?period=day${scope ? `&branch=${scope}` : ''}`),
    centre.api<LiveStatistics>(key, 'GET', `/v1/statistics/live${scope ? `?branch=${scope}` : ''}`),
  ]);
  if (calls.status !== 200 || live.status !== 200) throw new Error(`statistics answered ${calls.status} and ${live.status}`);
  const day = scope ? calls.body.branches.find((b) => b.branch === scope) : calls.body.consolidated;
  const queue = scope ? live.body.queues.branches.find((b) => b.branch === scope) : live.body.queues.consolidated;
  if (!day || !queue) throw new Error(`no figures for ${scope ?? 'the consolidated scope'}`);
  return Object.fromEntries(Object.entries(kpiFigures).map(([testId, read]) => [testId, raw(read(day, queue))]));
}

const raw = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

async function pageKpis(at: ConsolePerson): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.keys(kpiFigures).map(async (testId) => [testId, (await at.testId(testId).first().getAttribute('data-value', { timeout: 2_000 })) ?? ''] as const));
  return Object.fromEntries(entries);
}

/**
 * The dashboard shows what the API reports: both read until they agree (the page takes the live
 * figures every CC_CONSOLE_LIVE_MS), then compared once more for the assertion's message.
 */
async function expectDashboardEqualsApi(at: ConsolePerson, key: string, scope: string | null): Promise<Record<string, string>> {
  let last = { page: {} as Record<string, string>, api: {} as Record<string, string> };
  try {
    await eventually(
      async () => {
        last = { api: await apiKpis(key, scope), page: await pageKpis(at) };
        return JSON.stringify(last.api) === JSON.stringify(last.page);
      },
      `the dashboard (${scope ?? 'consolidated'}) showing the API's figures`,
      20_000,
      250,
    );
  } catch (error) {
    expect({ scope, kpis: last.page }).toEqual({ scope, kpis: last.api });
    throw error;
  }
  return last.api;
}

beforeAll(async () => {
  try {
    if (!existsSync(join(builtConsole, 'index.html'))) throw new Error(`the operator console is not built at ${builtConsole}: run npm run build`);
    await cp(builtConsole, servedConsole, { recursive: true });
    [browser] = await Promise.all([launchChromium(), region.start()]);
    const revokedClient = `cc-op-revoked-${region.runId}`;
    [revokedKey] = await Promise.all([
      region.issue('OPERATOR', revokedClient, { branch: 'sochi' }).then(async (key) => {
        await clientsCli(region.bookingSchema, ['revoke', '--client', revokedClient]);
        return key;
      }),
      centre.start(),
    ]);
    doctors = (await region.simCall<{ doctors: SimDoctor[] }>('GET', '/admin/code-map')).doctors;
    // Booking's catalogue names the districts: once every clinic is synced and fresh, pick two of different districts.
    const organisations = await eventually(
      async () => {
        const { body } = await region.api<{ items: OrganisationView[] }>('GET', '/v1/organisations');
        const items = body.items ?? [];
        return items.length === region.organisations.length && items.every((o) => !o.freshness.stale && o.districtId) ? items : undefined;
      },
      "every clinic in booking's catalogue, fresh, with its district",
      90_000,
      500,
    );
    const districtOf = (idLpu: number) => organisations.find((o) => o.organisationOid === region.organisations.find((r) => r.idLpu === idLpu)?.oid)?.districtId ?? '';
    const homeOrg = region.organisations[region.organisations.length - 1];
    home = { oid: homeOrg.oid, idLpu: homeOrg.idLpu, district: districtOf(homeOrg.idLpu) };
    awayDoctor = doctors.find((d) => !ruledSpecialties.includes(d.specialtyCode) && districtOf(d.idLpu) !== home.district);
    if (!awayDoctor) throw new Error('the simulated region has no doctor without rules in a second district');
    const awayOrg = region.organisations.find((o) => o.idLpu === awayDoctor?.idLpu);
    if (!awayOrg) throw new Error(`no organisation ${awayDoctor.idLpu}`);
    away = { oid: awayOrg.oid, idLpu: awayOrg.idLpu, district: districtOf(awayOrg.idLpu) };
    const resourceId = `${away.oid}:${awayDoctor.idDoc}`;
    await eventually(
      async () => ((await region.api<{ items: unknown[] }>('GET', `/v1/slots?practitioner=${encodeURIComponent(resourceId)}&freeOnly=true&limit=1`)).body.items ?? []).length > 0,
      "the doctor's free slots searchable",
      60_000,
      500,
    );
  } catch (error) {
    console.log(region.logs());
    console.log(centre.logs());
    throw error;
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(people.splice(0).map((p) => p.close()));
  await browser?.close().catch(() => undefined);
  await centre.stop();
  await region.stop();
  await rm(servedConsole, { recursive: true, force: true });
}, 60_000);

describe(suite, () => {
  it(
    "an operator signs in, a call connected to his phone opens its card by itself, he identifies the caller, books a slot in another district's clinic, reschedules and cancels it, and the clinic's MIS shows each step",
    withLogs(async () => {
      if (!awayDoctor) throw new Error('no doctor to book');
      // The caller is attached to his own clinic and also known at the other district's clinic's MIS.
      const policyNumber = `77${randomInt(10_000_000, 99_999_999)}${randomInt(100_000, 999_999)}`;
      const patientHome = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: home.idLpu, sex: 'FEMALE', policyNumber, attached: true });
      const patientAway = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: away.idLpu, sex: 'FEMALE', policyNumber, attached: false });
      const [first, second] = await twoFreeSlotsOf(awayDoctor);
      const day = first.VisitStart.slice(0, 10);

      const operator = await person('sochi operator');
      await operator.testId('login-key').waitFor();
      await operator.screenshot('login');
      // The live channel is open before the call: the card must come by push, not by a load.
      const eventsOpen = operator.page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/console/api/events'));
      const session = await operator.signIn(centre.keys.sochiOperator, sochiSeat);
      expect(session).toEqual({ role: 'OPERATOR', branch: 'sochi' });
      expect((await eventsOpen).status()).toBe(200);
      const loadsBefore = operator.loads;

      const phone = aPhone('7918');
      const uniqueid = await inject('sochi', phone, 'ANSWER', 1, 600);
      const card = operator.row('call-card', 'data-uniqueid', uniqueid);
      await card.waitFor({ state: 'visible', timeout: 15_000 });
      expect(operator.loads).toBe(loadsBefore);
      // The branch's own operator reads the caller's number in clear.
      expect(digitsOf((await operator.testId('call-card-number').textContent()) ?? '')).toBe(phone);

      await operator.setField('identify-organisation', home.oid);
      await operator.setField('identify-policy', policyNumber);
      await operator.testId('identify-submit').click();
      const identified = operator.testId('patient-identified');
      await identified.waitFor({ state: 'visible' });
      const patientId = await identified.getAttribute('data-patient-id');
      const byApi = await region.api<{ patientId: string }>('POST', '/v1/patients/identify', { organisationOid: home.oid, policyNumber });
      expect(patientId).toBe(byApi.body.patientId);
      await operator.screenshot('call-card');

      await operator.testId('nav-booking').click();
      await operator.setField('search-district', away.district);
      await operator.setField('search-organisation', away.oid);
      await operator.setField('search-practitioner', `${away.oid}:${awayDoctor.idDoc}`);
      await operator.setField('search-from', day);
      await operator.setField('search-to', day);
      await operator.testId('search-submit').click();
      const firstRow = operator.row('slot-row', 'data-slot-id', slotIdOf(away.oid, first));
      await firstRow.waitFor({ state: 'visible' });
      expect(await firstRow.getAttribute('data-organisation')).toBe(away.oid);
      expect(await firstRow.getAttribute('data-district')).toBe(away.district);
      expect(away.district).not.toBe(home.district);
      await firstRow.getByTestId('slot-freshness').waitFor();
      await operator.attributeOf(operator.row('org-row', 'data-oid', away.oid), 'data-freshness', (v) => v === 'FRESH', "the clinic's freshness shown");
      await operator.screenshot('booking-search');

      await firstRow.getByTestId('slot-book').click();
      const confirmation = operator.testId('booking-confirmation');
      await operator.attributeOf(confirmation, 'data-status', (v) => v === 'CONFIRMED', 'the booking confirmed', 30_000);
      const booked = await confirmation.getAttribute('data-appointment-id');
      expect(booked).toBeTruthy();
      // The clinic's MIS holds the booking for its own record of the patient.
      expect((await simSlot(first)).booking?.idPat).toBe(patientAway.idPat);
      await operator.screenshot('booking-confirmation');

      // Rescheduling searches the appointment's clinic at once; the operator narrows it to the doctor again.
      await confirmation.getByTestId('appointment-reschedule').click();
      await operator.testId('slot-reschedule-here').first().waitFor();
      await operator.setField('search-practitioner', `${away.oid}:${awayDoctor.idDoc}`);
      await operator.testId('search-submit').click();
      const secondRow = operator.row('slot-row', 'data-slot-id', slotIdOf(away.oid, second));
      await secondRow.getByTestId('slot-reschedule-here').click();
      const moved = await operator.attributeOf(confirmation, 'data-appointment-id', (v) => v !== null && v !== booked, 'the new appointment shown', 30_000);
      await operator.attributeOf(confirmation, 'data-status', (v) => v === 'CONFIRMED', 'the reschedule confirmed', 30_000);
      expect((await simSlot(second)).booking?.idPat).toBe(patientAway.idPat);
      expect((await simSlot(first)).state).toBe('free');

      await confirmation.getByTestId('appointment-cancel').click();
      await operator.attributeOf(operator.row('booking-confirmation', 'data-appointment-id', moved ?? ''), 'data-status', (v) => v === 'CANCELLED', 'the cancellation confirmed', 30_000);
      expect((await simSlot(second)).state).toBe('free');
      const atClinic = await region.simCall<SimPatient>('GET', `/admin/patients?idLpu=${away.idLpu}&idPat=${encodeURIComponent(patientAway.idPat)}`);
      expect(atClinic.bookings).toEqual([]);
      expect(patientHome.idPat).toBeTruthy();

      // Back on the card: the caller's appointments across the region, the other district's clinic included.
      await operator.testId('nav-call').click();
      await operator.attributeOf(operator.row('patient-appointment', 'data-appointment-id', moved ?? ''), 'data-status', (v) => v === 'CANCELLED', 'the cancelled appointment on the card');
      expect(await operator.row('patient-appointment', 'data-appointment-id', booked ?? '').getAttribute('data-status')).toBe('RESCHEDULED');
      expect(operator.loads).toBe(loadsBefore);
    }),
    120_000,
  );

  it(
    'an operator books from the keyboard: Alt+2 opens the booking screen, / goes to the search, Enter searches, the arrow chooses the second slot, Enter asks and Enter books it',
    withLogs(async () => {
      if (!awayDoctor) throw new Error('no doctor to book');
      const policyNumber = `77${randomInt(10_000_000, 99_999_999)}${randomInt(100_000, 999_999)}`;
      const patient = await region.simCall<SimPatient>('POST', '/admin/patients', { idLpu: away.idLpu, sex: 'FEMALE', policyNumber, attached: false });
      const [first] = await twoFreeSlotsOf(awayDoctor);
      const day = first.VisitStart.slice(0, 10);

      const operator = await person('sochi operator at the keyboard');
      await operator.testId('login-key').waitFor();
      await operator.signIn(centre.keys.sochiOperator, sochiSeat);
      const uniqueid = await inject('sochi', aPhone('7918'), 'ANSWER', 1, 600);
      await operator.row('call-card', 'data-uniqueid', uniqueid).waitFor({ state: 'visible', timeout: 15_000 });
      await operator.setField('identify-organisation', away.oid);
      await operator.setField('identify-policy', policyNumber);
      await operator.testId('identify-policy').press('Enter');
      await operator.testId('patient-identified').waitFor({ state: 'visible' });

      const keyboard = operator.page.keyboard;
      // Evaluated in the page (this file has no DOM types): an attribute of the element that has the focus.
      const focused = (attribute: string) => operator.page.evaluate<string | null>(`document.activeElement?.getAttribute(${JSON.stringify(attribute)}) ?? null`);
      const blur = () => operator.page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
      await blur();
      await keyboard.press('Alt+2');
      await operator.page.waitForURL(/\/console\/booking$/);
      await operator.setField('search-district', away.district);
      await operator.setField('search-organisation', away.oid);
      await operator.setField('search-practitioner', `${away.oid}:${awayDoctor.idDoc}`);
      await operator.setField('search-from', day);
      await operator.setField('search-to', day);
      await blur();
      await keyboard.press('/');
      expect(await focused('data-testid')).toBe('search-district');
      await keyboard.press('Enter');
      // The search moves the focus to its first row; the arrow moves it to the second.
      await eventually(async () => (await focused('data-slot-id')) === slotIdOf(away.oid, first), 'the first slot of the day focused', 30_000, 100);
      await keyboard.press('ArrowDown');
      const chosen = await eventually(async () => {
        const id = await focused('data-slot-id');
        return id !== null && id !== slotIdOf(away.oid, first) ? id : undefined;
      }, 'the second slot focused', 5_000, 50);
      expect(await operator.row('slot-row', 'data-slot-id', chosen).getAttribute('aria-selected')).toBe('true');

      // Enter asks first (the confirmation takes the focus), Esc takes the question back, Enter asks again and Enter books.
      await keyboard.press('Enter');
      await eventually(async () => (await focused('class'))?.includes('primary') === true, 'the confirmation focused', 5_000, 50);
      await keyboard.press('Escape');
      await eventually(async () => (await focused('class'))?.includes('primary') !== true, 'the confirmation withdrawn', 5_000, 50);
      expect(await operator.testId('booking-confirmation').count()).toBe(0);
      await operator.row('slot-row', 'data-slot-id', chosen).focus();
      await keyboard.press('Enter');
      await eventually(async () => (await focused('class'))?.includes('primary') === true, 'the confirmation focused again', 5_000, 50);
      await keyboard.press('Enter');
      const confirmation = operator.testId('booking-confirmation');
      await operator.attributeOf(confirmation, 'data-status', (v) => v === 'CONFIRMED', 'the booking confirmed', 30_000);
      const localId = chosen.slice(away.oid.length + 1);
      expect((await region.simCall<SimSlot>('GET', `/admin/slots?slotId=${encodeURIComponent(localId)}`)).booking?.idPat).toBe(patient.idPat);
      expect((await simSlot(first)).state).toBe('free');
    }),
    120_000,
  );

  it(
    'a lost call appears in the call-back queue, the operator calls back with one click, the PBX dials the number and the row shows the outcome',
    withLogs(async () => {
      const phone = aPhone('7928');
      await centre.pbxCall('PUT', '/admin/originate-outcomes', { [phone]: 'ANSWERED' });
      const operator = await person('sochi operator, call-backs');
      // Without a seat: the call of the first test still on his phone does not pull him to its card.
      await operator.signIn(centre.keys.sochiOperator);
      await operator.testId('nav-callbacks').click();

      const lost = await inject('sochi', phone, 'ABANDON', 1);
      const task = await taskOf(centre.keys.sochiOperator, lost);
      const row = operator.row('callback-row', 'data-task-id', task.id);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await operator.screenshot('callbacks');

      await row.getByTestId('callback-call').click();
      const dialled = await eventually(
        async () => (await centre.pbxCall<{ items: { number: string; outcome: string }[] }>('GET', '/admin/originates')).items.find((o) => o.number === phone),
        'the PBX dialling the lost caller',
        20_000,
        200,
      );
      expect(dialled.outcome).toBe('ANSWERED');
      await operator.attributeOf(operator.row('callback-row', 'data-task-id', task.id), 'data-status', (v) => v === 'DONE', 'the row showing the task done', 30_000);
      const result = row.getByTestId('callback-result');
      await operator.attributeOf(result, 'data-outcome', (v) => v === 'ANSWERED', 'the row showing the call-back answered', 15_000);
      expect(((await result.textContent()) ?? '').trim()).not.toBe('');
      expect((await centre.api<CallbackTask>(centre.keys.sochiOperator, 'GET', `/v1/callbacks/${task.id}`)).body.status).toBe('DONE');
    }),
    90_000,
  );

  it(
    "a head supervisor's dashboard shows the figures the contact-centre API reports, consolidated and per branch",
    withLogs(async () => {
      const calls = [
        await inject('novorossiysk', aPhone('7938'), 'ANSWER', 1, 1),
        await inject('novorossiysk', aPhone('7938'), 'ANSWER', 2, 2),
        await inject('novorossiysk', aPhone('7938'), 'ABANDON', 1),
        await inject('head', aPhone('7938'), 'ANSWER', 1, 1),
      ];
      const { headSupervisor } = centre.keys;
      // Barrier: the contact centre has recorded every call of this test.
      await eventually(
        async () => {
          const stats = await centre.api<CallStatistics>(headSupervisor, 'GET', '/v1/statistics/calls?period=day');
          const novorossiysk = stats.body.branches?.find((b) => b.branch === 'novorossiysk');
          const head = stats.body.branches?.find((b) => b.branch === 'head');
          return novorossiysk?.offered === 3 && head?.offered === 1;
        },
        `the ${calls.length} calls recorded`,
        30_000,
        250,
      );
      const supervisor = await person('head supervisor');
      expect(await supervisor.signIn(headSupervisor)).toEqual({ role: 'HEAD_SUPERVISOR', branch: '' });
      await supervisor.testId('nav-dashboard').click();
      const consolidated = await expectDashboardEqualsApi(supervisor, headSupervisor, null);
      expect(Number(consolidated['kpi-offered'])).toBeGreaterThanOrEqual(calls.length);
      const rows = await supervisor.testId('dash-branch-row').evaluateAll((elements) => elements.map((e) => e.getAttribute('data-branch')));
      expect(rows).toEqual(expect.arrayContaining(['head', 'sochi', 'novorossiysk']));
      await supervisor.testId('region-health').first().waitFor();
      await supervisor.screenshot('dashboard');

      await supervisor.setField('dash-scope', 'novorossiysk');
      const branch = await expectDashboardEqualsApi(supervisor, headSupervisor, 'novorossiysk');
      expect(branch['kpi-offered']).toBe('3');
      expect(branch['kpi-abandoned']).toBe('1');
    }),
    90_000,
  );

  it(
    'a branch supervisor sees only his branch: his row on the dashboard, no other branch named anywhere, and only his call-backs and appeals',
    withLogs(async () => {
      const { headSupervisor, sochiSupervisor, sochiOperator, headOperator } = centre.keys;
      const sochiPhone = aPhone('7948');
      const otherPhone = aPhone('7958');
      const [sochiLost, otherLost] = await Promise.all([inject('sochi', sochiPhone, 'ABANDON', 1), inject('novorossiysk', otherPhone, 'ABANDON', 1)]);
      const [sochiTask, otherTask] = await Promise.all([taskOf(headSupervisor, sochiLost), taskOf(headSupervisor, otherLost)]);
      expect([sochiTask.branch, otherTask.branch]).toEqual(['sochi', 'novorossiysk']);
      const appeal = (key: string) =>
        centre.api<{ id: string }>(key, 'POST', '/v1/appeals', { type: 'CONSULTATION', text: 'Как записаться к кардиологу в другом районе', applicantPhone: aPhone('7968') });
      const [sochiAppeal, headAppeal] = await Promise.all([appeal(sochiOperator), appeal(headOperator)]);
      expect([sochiAppeal.status, headAppeal.status]).toEqual([201, 201]);

      const supervisor = await person('sochi supervisor');
      expect(await supervisor.signIn(sochiSupervisor)).toEqual({ role: 'BRANCH_SUPERVISOR', branch: 'sochi' });
      await supervisor.testId('nav-dashboard').click();
      await supervisor.row('dash-branch-row', 'data-branch', 'sochi').waitFor();
      expect(await supervisor.testId('dash-branch-row').evaluateAll((elements) => elements.map((e) => e.getAttribute('data-branch')))).toEqual(['sochi']);
      expect(await supervisor.testId('dash-scope').getAttribute('data-branch')).toBe('sochi');
      await expectDashboardEqualsApi(supervisor, sochiSupervisor, 'sochi');
      const otherBranchNames = /novorossiysk|новороссийск|\bhead\b|головн/i;
      expect((await supervisor.pageText()).match(otherBranchNames)).toBeNull();
      await supervisor.screenshot('dashboard-branch');

      await supervisor.testId('nav-callbacks').click();
      // His own task listed proves the list was read after both tasks existed.
      const ownRow = supervisor.row('callback-row', 'data-task-id', sochiTask.id);
      await ownRow.waitFor({ state: 'visible', timeout: 20_000 });
      expect(await supervisor.row('callback-row', 'data-task-id', otherTask.id).count()).toBe(0);
      const listed = await supervisor.testId('callback-row').evaluateAll((elements) => elements.map((e) => e.getAttribute('data-task-id')));
      const sochiTasks = await centre.api<{ items: CallbackTask[] }>(headSupervisor, 'GET', '/v1/callbacks?branch=sochi&limit=100');
      expect(listed.filter((id) => !sochiTasks.body.items.some((t) => t.id === id))).toEqual([]);
      // A supervisor reads callers' numbers masked.
      expect(digitsOf((await ownRow.textContent()) ?? '')).not.toContain(sochiPhone);
      expect((await supervisor.pageText()).match(otherBranchNames)).toBeNull();

      await supervisor.testId('nav-appeals').click();
      await supervisor.row('appeal-row', 'data-appeal-id', sochiAppeal.body.id).waitFor({ state: 'visible', timeout: 20_000 });
      expect(await supervisor.row('appeal-row', 'data-appeal-id', headAppeal.body.id).count()).toBe(0);
      expect((await supervisor.pageText()).match(otherBranchNames)).toBeNull();
    }),
    90_000,
  );

  it(
    'an operator registers an appeal with its deadline and finds the knowledge base article from the appeal being written',
    withLogs(async () => {
      const operator = await person('sochi operator, appeals');
      await operator.signIn(centre.keys.sochiOperator);
      await operator.testId('nav-appeals').click();
      await operator.testId('appeal-new').click();
      await operator.setField('appeal-type', 'DRUG_PROVISION');
      // The applicant's number has no data-testid in the contract: the field is found by its label.
      await operator.page.getByLabel('Телефон заявителя').fill(`+${aPhone('7978')}`);
      await operator.setField('appeal-text', 'Не выдают льготное лекарство в аптеке по рецепту');
      await operator.setField('kb-search', 'льготное лекарство');
      const article = operator.testId('kb-result').filter({ hasText: 'Лекарственное обеспечение' });
      await article.first().waitFor({ state: 'visible' });
      await operator.screenshot('appeals');
      await operator.testId('appeal-submit').click();
      const appeals = await eventually(
        async () => {
          const { body } = await centre.api<{ items: { id: string; type: string }[] }>(centre.keys.sochiOperator, 'GET', '/v1/appeals?limit=100');
          const registered = (body.items ?? []).filter((a) => a.type === 'DRUG_PROVISION');
          return registered.length > 0 ? registered : undefined;
        },
        'the appeal registered',
        15_000,
      );
      const row = operator.row('appeal-row', 'data-appeal-id', appeals[0].id);
      await row.waitFor({ state: 'visible' });
      expect(((await row.getByTestId('appeal-deadline').textContent()) ?? '').trim()).not.toBe('');
    }),
    60_000,
  );

  it(
    'a wrong or revoked key cannot sign in, and a request to the console backend without its CSRF header is refused and changes nothing',
    withLogs(async () => {
      const stranger = await person('stranger');
      expect(await stranger.signInRefused('mbk.not-a-key-anyone-was-given')).toBe('CONSOLE.LOGIN_FAILED');
      expect(await stranger.signInRefused(revokedKey)).toBe('CONSOLE.LOGIN_FAILED');

      const operator = await person('sochi operator, hostile page');
      await operator.signIn(centre.keys.sochiOperator);
      const before = (await centre.api<{ items: unknown[] }>(centre.keys.headSupervisor, 'GET', '/v1/appeals?limit=100')).body.items.length;
      // A script with the operator's cookie but without the console's header, as a forged request would be.
      const forged = await operator.page.evaluate(async () => {
        const response = await fetch('/console/api/cc/v1/appeals', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'OTHER', text: 'forged', applicantPhone: '79000000000' }),
        });
        return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
      });
      expect({ status: forged.status, code: forged.body.error?.code }).toEqual({ status: 403, code: 'CONSOLE.CSRF' });
      const after = (await centre.api<{ items: unknown[] }>(centre.keys.headSupervisor, 'GET', '/v1/appeals?limit=100')).body.items.length;
      expect(after).toBe(before);
    }),
    60_000,
  );
});
