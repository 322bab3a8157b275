import type { DataSource } from 'typeorm';
import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, uniqueName, waitFor } from '@medbus/testing';
import { admin, callsTestMigrations, startCallsTestApp, startTestPbx, type CallsTestApp } from '../calls/calls.int-app';

const schema = `cc_test_${uniqueName('callbacks').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);

type Pbx = Awaited<ReturnType<typeof startTestPbx>>;

interface TaskRow {
  id: string;
  status: string;
  close_reason: string | null;
  lost_calls: number;
  attempts: number;
  created_at: Date;
  closed_at: Date | null;
  branch: string;
}

let serial = 0;
const aNumber = () => `7928${String(Date.now() % 1000).padStart(3, '0')}${String(++serial).padStart(4, '0')}`;

describe('call-back tasks from lost calls, through the PBX simulator', () => {
  let pbx: Pbx;
  let dataSource: DataSource;
  let app: CallsTestApp;
  let operator: string;
  let sochiOperator: string;
  let supervisor: string;

  const inject = (callerNumber: string, outcome: 'ABANDON' | 'ANSWER', waitSeconds: number, talkSeconds?: number) =>
    admin<{ uniqueid: string }>(pbx, 'POST', '/admin/calls', { queue: 'head', callerNumber, outcome, waitSeconds, ...(talkSeconds === undefined ? {} : { talkSeconds }) }).then((r) => r.uniqueid);
  const outcomeFor = (number: string, outcome: 'ANSWERED' | 'NO_ANSWER' | 'BUSY') => admin(pbx, 'PUT', '/admin/originate-outcomes', { [number]: outcome });
  const taskOf = async (uniqueid: string): Promise<TaskRow | undefined> =>
    (await dataSource.query(`SELECT t.* FROM callback_task t JOIN callback_task_call tc ON tc.task_id = t.id WHERE tc.call_uniqueid = $1`, [uniqueid]))[0];
  const call = (key: string, method: string, path: string) =>
    fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: { code: string } } }));

  beforeAll(async () => {
    // A call-back rings 60 simulated seconds (3 s here): long enough to see an attempt running.
    pbx = await startTestPbx(20, ['--originate-ring-seconds', '60']);
    dataSource = await schemaDataSource(schema, { migrations: callsTestMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startCallsTestApp(dataSource, pbx);
    await waitFor(async () => app.link.connected && app.link.stats.lastBackfilled !== null, 'the AMI link up');
    operator = app.keyOf({ clientId: 'op-head-1', role: Role.OPERATOR, branch: 'head' });
    sochiOperator = app.keyOf({ clientId: 'op-sochi-1', role: Role.OPERATOR, branch: 'sochi' });
    supervisor = app.keyOf({ clientId: 'sup-head', role: Role.HEAD_SUPERVISOR, branch: null });
  });

  afterAll(async () => {
    await app?.close();
    await pbx?.close();
    await dropSchemas(schema);
  });

  it('gives a caller who hangs up a task within a second, and an answered call-back closes it REACHED', async () => {
    const number = aNumber();
    await outcomeFor(number, 'ANSWERED');
    const lost = await inject(number, 'ABANDON', 20);
    const task = await waitFor(() => taskOf(lost), 'the lost call’s task', 15_000);
    const { items } = await admin<{ items: { uniqueid: string; emittedAt: string }[] }>(pbx, 'GET', '/admin/calls?limit=5000');
    const emittedAt = Date.parse(items.find((fact) => fact.uniqueid === lost)?.emittedAt ?? '');
    expect(task.created_at.getTime() - emittedAt).toBeLessThan(1_000);

    const done = await waitFor(async () => ((await taskOf(lost))?.status === 'DONE' ? taskOf(lost) : undefined), 'the task closed', 20_000);
    expect(done).toMatchObject({ close_reason: 'REACHED', attempts: 1, lost_calls: 1 });
    const [attempt]: { id: string; outcome: string; started_by: string | null }[] = await dataSource.query(`SELECT id, outcome, started_by FROM callback_attempt WHERE task_id = $1`, [task.id]);
    expect(attempt).toMatchObject({ outcome: 'ANSWERED', started_by: null });
    const originates = await admin<{ items: { number: string; at: string; channel: string; actionId: string; outcome: string; variables: string[] }[] }>(pbx, 'GET', '/admin/originates');
    const placed = originates.items.filter((o) => o.number === number);
    expect(placed).toEqual([expect.objectContaining({ channel: `Local/${number}@outbound`, actionId: attempt?.id, outcome: 'ANSWERED', variables: [`CC_ATTEMPT=${attempt?.id}`] })]);
    // Closed at the PBX's time of the answer: the Originate's PBX time plus the 60 s it rang.
    expect(Math.abs((done.closed_at?.getTime() ?? 0) - Date.parse(placed[0]?.at ?? '') - 60_000)).toBeLessThan(2_000);
  });

  it('joins a second lost call from the same number to the same task, and an answered repeat call closes it CALLED_AGAIN', async () => {
    const number = aNumber();
    await outcomeFor(number, 'NO_ANSWER');
    const first = await inject(number, 'ABANDON', 10);
    const task = await waitFor(async () => ((await taskOf(first))?.status === 'OPEN' && (await taskOf(first))?.attempts === 1 ? taskOf(first) : undefined), 'the first attempt unanswered', 20_000);
    const second = await inject(number, 'ABANDON', 15);
    await waitFor(async () => ((await taskOf(second))?.id === task.id ? true : undefined), 'the second lost call joined');
    expect(await taskOf(second)).toMatchObject({ id: task.id, lost_calls: 2, status: 'OPEN' });

    const unreturned = await call(supervisor, 'GET', '/v1/callbacks/unreturned?branch=head');
    expect((unreturned.body.items as { uniqueid: string; taskId: string }[]).filter((item) => item.taskId === task.id).map((item) => item.uniqueid)).toEqual([first, second]);

    await inject(number, 'ANSWER', 2, 10);
    const closed = await waitFor(async () => ((await taskOf(first))?.status === 'DONE' ? taskOf(first) : undefined), 'the task closed by the repeat call', 20_000);
    expect(closed.close_reason).toBe('CALLED_AGAIN');
  });

  it('lets an operator of the branch claim a task and dial it, refusing a second dial while one runs; others see the number masked', async () => {
    const number = aNumber();
    await outcomeFor(number, 'BUSY');
    const lost = await inject(number, 'ABANDON', 5);
    const task = await waitFor(async () => ((await taskOf(lost))?.status === 'OPEN' && (await taskOf(lost))?.attempts === 1 ? taskOf(lost) : undefined), 'the first attempt busy', 20_000);

    expect((await call(sochiOperator, 'POST', `/v1/callbacks/${task.id}/claim`)).body.error?.code).toBe('CC.CALLBACK_OTHER_BRANCH');
    const claimed = await call(operator, 'POST', `/v1/callbacks/${task.id}/claim`);
    expect(claimed).toMatchObject({ status: 200, body: { assignedTo: 'op-head-1', callerNumber: `+${number}` } });
    expect((await call(supervisor, 'GET', `/v1/callbacks/${task.id}`)).body.callerNumber).toMatch(/^\+7 9\*\* \*\*\*-\*\*-\d\d$/);

    const dialled = await call(operator, 'POST', `/v1/callbacks/${task.id}/attempts`);
    expect(dialled.status).toBe(202);
    const again = await call(operator, 'POST', `/v1/callbacks/${task.id}/attempts`);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'CC.CALLBACK_ATTEMPT_RUNNING' } } });
    const after = await waitFor(async () => ((await taskOf(lost))?.attempts === 2 && (await taskOf(lost))?.status === 'OPEN' ? call(operator, 'GET', `/v1/callbacks/${task.id}`) : undefined), 'the manual attempt done', 20_000);
    expect((after.body.attemptLog as { outcome: string; startedBy: string | null }[]).map((a) => [a.outcome, a.startedBy])).toEqual([
      ['BUSY', null],
      ['BUSY', 'op-head-1'],
    ]);
  });

  it('marks an attempt a stopped instance left without outcome FAILED and schedules the task again', async () => {
    const number = aNumber();
    await outcomeFor(number, 'NO_ANSWER');
    const lost = await inject(number, 'ABANDON', 5);
    const task = await waitFor(async () => ((await taskOf(lost))?.attempts === 1 && (await taskOf(lost))?.status === 'OPEN' ? taskOf(lost) : undefined), 'the first attempt done', 20_000);
    // As a crashed instance leaves it: the task DIALLING, its attempt written long ago without outcome.
    await dataSource.query(`UPDATE callback_task SET status = 'DIALLING', attempts = 2 WHERE id = $1`, [task.id]);
    await dataSource.query(`INSERT INTO callback_attempt (id, task_id, started_at) VALUES (gen_random_uuid(), $1, now() - interval '1 hour')`, [task.id]);
    const reopened = await waitFor(async () => ((await taskOf(lost))?.status === 'OPEN' ? taskOf(lost) : undefined), 'the stale attempt failed');
    const attempts: { outcome: string }[] = await dataSource.query(`SELECT outcome FROM callback_attempt WHERE task_id = $1 ORDER BY started_at`, [task.id]);
    expect(attempts.map((a) => a.outcome)).toEqual(['FAILED', 'NO_ANSWER']);
    expect(reopened.attempts).toBe(2);
  });
});
