import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import type { AppealView } from './appeal-view.mapper';
import { appealsTestMigrations, client, startAppealsTestApp, type AppealsTestApp } from './appeals.int-app';

const schema = `cc_test_${uniqueName('escalation').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);
const hospital = '1.2.643.5.1.13.13.12.2.23.2001';
const clinic = '1.2.643.5.1.13.13.12.2.23.2002';
// Registered on 2 March at 10:00 Moscow time: 10 days → deadline at the end of 12 March (21:00 UTC), escalated 48 h before.
const registeredAt = new Date('2026-03-02T07:00:00Z');
const escalateAt = new Date('2026-03-10T21:00:00Z');
const deadline = new Date('2026-03-12T21:00:00Z');

describe('escalation, follow-up and statistics of appeals against Postgres', () => {
  let app: AppealsTestApp;
  let operator: ReturnType<typeof client>;
  let supervisor: ReturnType<typeof client>;
  let sochiSupervisor: ReturnType<typeof client>;

  beforeAll(async () => {
    const dataSource = await schemaDataSource(schema, { migrations: appealsTestMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startAppealsTestApp(
      dataSource,
      { [hospital]: { districtId: 'krd-central', districtName: 'Центральный округ' }, [clinic]: { districtId: 'krd-karasun', districtName: 'Карасунский округ' } },
      registeredAt,
    );
    operator = client(app.url, app.keyOf({ clientId: 'op-1', role: Role.OPERATOR, branch: null }));
    supervisor = client(app.url, app.keyOf({ clientId: 'sup-head', role: Role.HEAD_SUPERVISOR, branch: null }));
    sochiSupervisor = client(app.url, app.keyOf({ clientId: 'sup-sochi', role: Role.BRANCH_SUPERVISOR, branch: 'sochi' }));
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  async function register(type: string, profileCode: string, organisationOid: string): Promise<string> {
    const answer = await operator<AppealView>('POST', '/v1/appeals', { type, profileCode, organisationOid, text: 'Отказали в выписке льготного рецепта', applicantPhone: '+79180000001' });
    expect(answer.status).toBe(201);
    return answer.body.id;
  }

  const events = async (id: string): Promise<string[]> =>
    ((await app.dataSource.query(`SELECT code FROM appeal_event WHERE appeal_id = $1 ORDER BY id`, [id])) as { code: string }[]).map((row) => row.code);

  it('escalates an open appeal once its deadline is 48 hours away, once; flags it overdue after the deadline, once; and lists it for supervisors', async () => {
    const late = await register('DRUG_PROVISION', '76', hospital);
    const onTime = await register('DRUG_PROVISION', '76', hospital);
    const slow = await register('QUALITY_OF_CARE', '68', clinic);
    await operator('POST', `/v1/appeals/${onTime}/transitions`, { to: 'IN_PROGRESS' });
    await operator('POST', `/v1/appeals/${slow}/transitions`, { to: 'IN_PROGRESS' });

    app.clock.set(new Date(escalateAt.getTime() - 1));
    expect(await app.poller.pass()).toEqual({ escalated: 0, overdue: 0 });

    app.clock.set(escalateAt);
    await operator('POST', `/v1/appeals/${onTime}/transitions`, { to: 'RESOLVED', note: 'Рецепт выписан' });
    expect(await app.poller.pass()).toEqual({ escalated: 2, overdue: 0 });
    expect(await app.poller.pass()).toEqual({ escalated: 0, overdue: 0 });
    const escalated = await supervisor<{ items: { id: string; escalatedAt: string | null }[] }>('GET', '/v1/appeals/escalated');
    expect(escalated.body.items.map((item) => item.id).sort()).toEqual([late, slow].sort());
    expect((await sochiSupervisor<{ items: unknown[] }>('GET', '/v1/appeals/escalated')).body.items).toEqual([]);
    expect((await operator('GET', '/v1/appeals/escalated')).status).toBe(403);

    app.clock.set(new Date(deadline.getTime() - 60_000));
    await operator('POST', `/v1/appeals/${slow}/transitions`, { to: 'RESOLVED', note: 'Разобрались с заведующим' });
    app.clock.set(new Date(deadline.getTime() + 1));
    expect(await app.poller.pass()).toEqual({ escalated: 0, overdue: 1 });
    expect(await app.poller.pass()).toEqual({ escalated: 0, overdue: 0 });
    expect(await events(late)).toEqual(['REGISTERED', 'ESCALATED', 'OVERDUE']);
    expect(await events(onTime)).toEqual(['REGISTERED', 'TAKEN', 'RESOLVED']);
    expect((await supervisor<AppealView>('GET', `/v1/appeals/${late}`)).body).toMatchObject({ escalatedAt: escalateAt.toISOString(), overdueAt: new Date(deadline.getTime() + 1).toISOString() });

    // The follow-up call of the one resolved in time: the applicant is satisfied.
    expect((await operator<AppealView>('POST', `/v1/appeals/${onTime}/follow-up`, { outcome: 'SATISFIED' })).body.status).toBe('CLOSED');
  });

  it('escalates and flags at once an appeal first seen after its deadline, escalation first', async () => {
    app.clock.set(registeredAt);
    const forgotten = await register('OTHER', '97', clinic);
    app.clock.set(new Date('2026-03-20T09:00:00Z'));
    expect(await app.poller.pass()).toMatchObject({ escalated: 1, overdue: 1 });
    expect(await events(forgotten)).toEqual(['REGISTERED', 'ESCALATED', 'OVERDUE']);
  });

  it('counts the appeals by type, profile, organisation and district, with the same definitions of overdue and in time', async () => {
    const period = { from: new Date('2026-03-01T21:00:00Z'), to: new Date('2026-03-02T21:00:00Z'), branch: null, asOf: app.clock.now() };
    const figures = { registered: 0, resolved: 0, closed: 0, escalated: 0, overdue: 0, resolvedWithinDeadline: 0, followUpsDone: 0, satisfied: 0 };
    const byType = await app.statistics.count({ ...period, by: 'type' });
    expect(byType.total).toEqual({ ...figures, registered: 4, resolved: 2, closed: 1, escalated: 3, overdue: 2, resolvedWithinDeadline: 2, followUpsDone: 1, satisfied: 1 });
    expect(byType.rows).toEqual([
      { key: 'DRUG_PROVISION', name: 'Лекарственное обеспечение', ...figures, registered: 2, resolved: 1, closed: 1, escalated: 1, overdue: 1, resolvedWithinDeadline: 1, followUpsDone: 1, satisfied: 1 },
      { key: 'OTHER', name: 'Прочее', ...figures, registered: 1, escalated: 1, overdue: 1 },
      { key: 'QUALITY_OF_CARE', name: 'Качество оказания медицинской помощи', ...figures, registered: 1, resolved: 1, escalated: 1, resolvedWithinDeadline: 1 },
    ]);
    const keysOf = async (by: 'profile' | 'organisation' | 'district') => (await app.statistics.count({ ...period, by })).rows.map((row) => [row.key, row.name, row.registered, row.overdue]);
    expect(await keysOf('profile')).toEqual([['76', null, 2, 1], ['68', null, 1, 0], ['97', null, 1, 1]]);
    expect(await keysOf('organisation')).toEqual([[hospital, null, 2, 1], [clinic, null, 2, 1]]);
    expect(await keysOf('district')).toEqual([['krd-central', 'Центральный округ', 2, 1], ['krd-karasun', 'Карасунский округ', 2, 1]]);
    expect((await app.statistics.count({ ...period, branch: 'sochi', by: 'type' })).total.registered).toBe(0);
    expect((await app.statistics.count({ ...period, from: period.to, to: new Date('2026-03-03T21:00:00Z'), by: 'type' })).rows).toEqual([]);
  });
});
