import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import type { AppealView } from './appeal-view.mapper';
import { appealsTestMigrations, client, startAppealsTestApp, type AppealsTestApp } from './appeals.int-app';

const schema = `cc_test_${uniqueName('appeals').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);

const oid = '1.2.643.5.1.13.13.12.2.23.1001';
const phone = '+7 918 555-12-34';
const text = 'Третий день не могу дозвониться в регистратуру поликлиники, ребёнку нужна справка в бассейн';

function aRegistration(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'QUALITY_OF_CARE', text, applicantPhone: phone, profileCode: '68', organisationOid: oid, ...fields };
}

describe('appeals through REST', () => {
  let app: AppealsTestApp;
  let operator: ReturnType<typeof client>;
  let otherOperator: ReturnType<typeof client>;
  let doctor: ReturnType<typeof client>;
  let otherDoctor: ReturnType<typeof client>;
  let branchSupervisor: ReturnType<typeof client>;
  let otherSupervisor: ReturnType<typeof client>;
  let headSupervisor: ReturnType<typeof client>;

  beforeAll(async () => {
    const dataSource = await schemaDataSource(schema, { migrations: appealsTestMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startAppealsTestApp(dataSource, { [oid]: { districtId: 'krd-prikubansky', districtName: 'Прикубанский округ' } });
    const as = (clientId: string, role: string, branch: string | null) => client(app.url, app.keyOf({ clientId, role, branch }));
    operator = as('op-sochi-1', Role.OPERATOR, 'sochi');
    otherOperator = as('op-anapa-1', Role.OPERATOR, 'anapa');
    doctor = as('duty-doctor-1', Role.SECOND_LINE, null);
    otherDoctor = as('duty-doctor-2', Role.SECOND_LINE, null);
    branchSupervisor = as('sup-sochi', Role.BRANCH_SUPERVISOR, 'sochi');
    otherSupervisor = as('sup-anapa', Role.BRANCH_SUPERVISOR, 'anapa');
    headSupervisor = as('sup-head', Role.HEAD_SUPERVISOR, null);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  async function registered(fields: Record<string, unknown> = {}): Promise<AppealView> {
    const answer = await operator<AppealView>('POST', '/v1/appeals', aRegistration(fields));
    expect(answer.status).toBe(201);
    return answer.body;
  }

  it('registers an appeal in the operator’s branch with a number, the regulation’s deadline and the organisation’s district, the text and number stored encrypted', async () => {
    const appeal = await registered();
    expect(appeal).toMatchObject({
      number: expect.stringMatching(/^2026-\d{6}$/),
      type: 'QUALITY_OF_CARE',
      branch: 'sochi',
      status: 'REGISTERED',
      line: 1,
      district: { id: 'krd-prikubansky', name: 'Прикубанский округ' },
      deadlineAt: '2026-03-12T21:00:00.000Z',
      applicantPhone: phone,
      applicantPhoneMasked: false,
      text,
      events: [expect.objectContaining({ code: 'REGISTERED', actor: 'op-sochi-1', to: 'REGISTERED' })],
    });
    const [stored]: { applicant_phone: string; text: string; applicant_phone_hash: string }[] = await app.dataSource.query(`SELECT applicant_phone, text, applicant_phone_hash FROM appeal WHERE id = $1`, [appeal.id]);
    expect(JSON.stringify(stored)).not.toMatch(/555|12-34|регистратур/);
    expect(stored.text).toMatch(/^v1:test:/);
  });

  it('answers a retry with the same Idempotency-Key with the same appeal, and refuses the key for another body', async () => {
    const headers = { 'idempotency-key': 'retry-42' };
    const first = await operator<AppealView>('POST', '/v1/appeals', aRegistration(), headers);
    const again = await operator<AppealView>('POST', '/v1/appeals', aRegistration({ applicantPhone: '8 (918) 555 12 34' }), headers);
    const other = await operator('POST', '/v1/appeals', aRegistration({ text: 'Другое обращение' }), headers);
    expect([first.status, again.status, other.status]).toEqual([201, 200, 409]);
    expect(again.body.id).toBe(first.body.id);
    expect(other.body.error?.code).toBe('CC.IDEMPOTENCY_KEY_REUSED');
    const [{ count }]: { count: number }[] = await app.dataSource.query(`SELECT count(*)::int AS count FROM appeal WHERE idempotency_key = 'retry-42'`);
    expect(count).toBe(1);
  });

  it('refuses a malformed appeal without echoing what was sent, and an unknown type', async () => {
    const bad = await operator('POST', '/v1/appeals', aRegistration({ applicantPhone: 'позвоните маме', profileCode: 'therapy' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('CC.INVALID_APPEAL_REQUEST');
    expect(bad.body.error?.message).not.toContain('маме');
    const unknown = await operator('POST', '/v1/appeals', aRegistration({ type: 'NO_SUCH_TYPE' }));
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'CC.APPEAL_TYPE_NOT_FOUND']);
  });

  it('is worked on the first line, passed to the second line, resolved there, reopened by an unsatisfied applicant and closed once he is satisfied', async () => {
    const appeal = await registered();
    const path = `/v1/appeals/${appeal.id}`;
    expect((await operator('POST', `${path}/transitions`, { to: 'RESOLVED', note: 'x' })).body.error?.code).toBe('CC.APPEAL_TRANSITION_NOT_ALLOWED');
    expect((await operator<AppealView>('POST', `${path}/transitions`, { to: 'IN_PROGRESS' })).body).toMatchObject({ status: 'IN_PROGRESS', assignedTo: 'op-sochi-1' });
    expect((await doctor('GET', path)).status).toBe(404);

    const passed = await operator<AppealView>('POST', `${path}/transitions`, { to: 'SECOND_LINE', note: 'Нужна консультация дежурного педиатра' });
    expect(passed.body).toMatchObject({ status: 'SECOND_LINE', line: 2, assignedTo: null, handoverNote: 'Нужна консультация дежурного педиатра' });
    expect((await doctor<AppealView>('GET', path)).body).toMatchObject({ text, applicantPhoneMasked: true });
    expect((await doctor<AppealView>('POST', `${path}/transitions`, { to: 'SECOND_LINE' })).body).toMatchObject({ assignedTo: 'duty-doctor-1', applicantPhone: phone, applicantPhoneMasked: false });
    expect((await otherDoctor('GET', path)).status).toBe(404);
    expect((await operator('POST', `${path}/transitions`, { to: 'RESOLVED', note: 'x' })).status).toBe(409);

    app.clock.advanceHours(30);
    const resolved = await doctor<AppealView>('POST', `${path}/transitions`, { to: 'RESOLVED', note: 'Справку выдадут в кабинете 12 без записи' });
    expect(resolved.body).toMatchObject({ status: 'RESOLVED', resolution: 'Справку выдадут в кабинете 12 без записи', followUpDueAt: new Date(app.clock.now().getTime() + 24 * 3_600_000).toISOString() });
    expect((await operator('POST', `${path}/transitions`, { to: 'CLOSED' })).status).toBe(409);

    const reopened = await operator<AppealView>('POST', `${path}/follow-up`, { outcome: 'NOT_SATISFIED', note: 'Справку так и не дали' });
    expect(reopened.body).toMatchObject({ status: 'IN_PROGRESS', line: 1, assignedTo: 'op-sochi-1', resolvedAt: null, followUp: { outcome: 'NOT_SATISFIED', note: 'Справку так и не дали' } });
    await operator('POST', `${path}/transitions`, { to: 'RESOLVED', note: 'Главный врач распорядился выдать справку' });
    const closed = await operator<AppealView>('POST', `${path}/follow-up`, { outcome: 'SATISFIED' });
    expect(closed.body).toMatchObject({ status: 'CLOSED', closedAt: expect.any(String), followUp: { outcome: 'SATISFIED' } });
    expect(closed.body.events.map((e) => e.code)).toEqual(['REGISTERED', 'TAKEN', 'PASSED_TO_SECOND_LINE', 'REASSIGNED', 'RESOLVED', 'REOPENED', 'RESOLVED', 'CLOSED']);
    expect((await operator('POST', `${path}/follow-up`, { outcome: 'SATISFIED' })).status).toBe(409);
  });

  it('keeps an appeal resolved while the applicant is not reached, lists it as due, and closes it after the third call', async () => {
    const appeal = await registered();
    const path = `/v1/appeals/${appeal.id}`;
    await operator('POST', `${path}/transitions`, { to: 'IN_PROGRESS' });
    await operator('POST', `${path}/transitions`, { to: 'RESOLVED', note: 'Записали на приём к заведующему' });
    const due = async () => (await operator<{ items: { id: string }[] }>('GET', '/v1/appeals/follow-ups-due?limit=200')).body.items.map((a) => a.id);
    expect(await due()).not.toContain(appeal.id);
    app.clock.advanceHours(24);
    expect(await due()).toContain(appeal.id);

    const first = await operator<AppealView>('POST', `${path}/follow-up`, { outcome: 'NOT_REACHED' });
    expect(first.body).toMatchObject({ status: 'RESOLVED', followUp: { notReached: 1 } });
    expect(await due()).not.toContain(appeal.id);
    await operator('POST', `${path}/follow-up`, { outcome: 'NOT_REACHED' });
    const third = await operator<AppealView>('POST', `${path}/follow-up`, { outcome: 'NOT_REACHED' });
    expect(third.body).toMatchObject({ status: 'CLOSED', followUp: { outcome: 'NOT_REACHED', notReached: 3 } });
    expect(third.body.events.at(-1)?.code).toBe('CLOSED_NOT_REACHED');
  });

  it('shows supervisors the text but never the number, a branch supervisor only his branch, an operator only his branch', async () => {
    const appeal = await registered();
    const path = `/v1/appeals/${appeal.id}`;
    for (const supervisor of [branchSupervisor, headSupervisor]) {
      expect((await supervisor<AppealView>('GET', path)).body).toMatchObject({ text, applicantPhone: '+7 9** ***-**-34', applicantPhoneMasked: true });
    }
    expect((await otherSupervisor('GET', path)).status).toBe(404);
    expect((await otherOperator('GET', path)).status).toBe(404);
    expect((await otherSupervisor('GET', '/v1/appeals?branch=sochi')).body.error?.code).toBe('CC.BRANCH_FORBIDDEN');
    const listed = await branchSupervisor<{ items: Record<string, unknown>[] }>('GET', '/v1/appeals?limit=200');
    expect(listed.body.items.every((item) => item.branch === 'sochi')).toBe(true);
    expect(JSON.stringify(listed.body)).not.toMatch(/555|регистратур/);
    expect((await otherSupervisor<{ items: unknown[] }>('GET', '/v1/appeals')).body.items).toEqual([]);
    expect((await otherOperator('POST', `${path}/transitions`, { to: 'IN_PROGRESS' })).status).toBe(404);
    expect((await branchSupervisor('POST', `${path}/follow-up`, { outcome: 'SATISFIED' })).status).toBe(403);
  });

  it('lets a branch supervisor hand an appeal to an operator, and asks whom', async () => {
    const appeal = await registered();
    const path = `/v1/appeals/${appeal.id}/transitions`;
    expect((await branchSupervisor('POST', path, { to: 'IN_PROGRESS' })).body.error?.code).toBe('CC.INVALID_APPEAL_REQUEST');
    expect((await branchSupervisor<AppealView>('POST', path, { to: 'IN_PROGRESS', assignTo: 'op-sochi-2' })).body).toMatchObject({ assignedTo: 'op-sochi-2' });
    expect((await branchSupervisor<AppealView>('POST', path, { to: 'IN_PROGRESS', assignTo: 'op-sochi-1' })).body.events.at(-1)).toMatchObject({ code: 'REASSIGNED', actor: 'sup-sochi' });
  });

  it('pages the list in keyset order, newest first, without repeating or skipping', async () => {
    for (let i = 0; i < 5; i++) {
      app.clock.advanceHours(1);
      await registered({ type: 'MEDICAL_CERTIFICATE' });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string; type: string }[]; nextCursor: string | null } } = await operator('GET', `/v1/appeals?type=MEDICAL_CERTIFICATE&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    const all: { id: string }[] = await app.dataSource.query(`SELECT id FROM appeal WHERE type_code = 'MEDICAL_CERTIFICATE' ORDER BY created_at DESC, id DESC`);
    expect(seen).toEqual(all.map((row) => row.id));
    expect(seen).toHaveLength(5);
  });

  it('answers 404 for an unknown appeal and for an id that is not one', async () => {
    expect((await operator('GET', '/v1/appeals/6f1c2a52-8a4e-4d5e-9d1b-000000000000')).body.error?.code).toBe('CC.APPEAL_NOT_FOUND');
    expect((await operator('GET', '/v1/appeals/12345')).status).toBe(404);
    expect((await operator('POST', '/v1/appeals/6f1c2a52-8a4e-4d5e-9d1b-000000000000/transitions', { to: 'IN_PROGRESS' })).status).toBe(404);
  });

  it('applies a changed regulation to appeals registered after the change only', async () => {
    const before = await registered({ type: 'COMPLAINT' });
    expect((await branchSupervisor('PUT', '/v1/appeal-types/COMPLAINT', { name: 'Жалоба', reviewDays: 5 })).status).toBe(403);
    const changed = await headSupervisor<{ type: { reviewDays: number }; appliesTo: string }>('PUT', '/v1/appeal-types/COMPLAINT', { name: 'Жалоба', reviewDays: 5, escalateBeforeHours: 24 });
    expect(changed.status).toBe(200);
    expect(changed.body.type.reviewDays).toBe(5);
    const after = await registered({ type: 'COMPLAINT' });
    expect((await operator<AppealView>('GET', `/v1/appeals/${before.id}`)).body.deadlineAt).toBe(before.deadlineAt);
    expect(new Date(before.deadlineAt).getTime() - new Date(after.deadlineAt).getTime()).toBe(5 * 24 * 3_600_000);
    expect((await headSupervisor('PUT', '/v1/appeal-types/COMPLAINT', { name: 'Жалоба', reviewDays: 1, escalateBeforeHours: 49 })).body.error?.code).toBe('CC.INVALID_APPEAL_REQUEST');
  });
});
