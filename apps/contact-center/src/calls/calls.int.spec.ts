import type { DataSource } from 'typeorm';
import { Role } from '@medbus/service-auth';
import { dropSchemas, schemaDataSource, stackAddresses, uniqueName, waitFor } from '@medbus/testing';
import { admin, callsTestMigrations, reopen, startCallsTestApp, startTestPbx, type CallsTestApp } from './calls.int-app';

const schema = `cc_test_${uniqueName('calls').replace(/[^a-z0-9]/g, '')}`.slice(0, 60);

interface Fact {
  uniqueid: string;
  queue: string;
  callerNumber: string;
  outcome: 'ANSWERED' | 'ABANDONED';
  holdSeconds: number;
  talkSeconds: number | null;
  agent: string | null;
  abandonPosition: number | null;
  joinedAt: string;
}

interface CallRow {
  uniqueid: string;
  branch: string;
  outcome: string;
  wait_seconds: number;
  talk_seconds: number | null;
  operator: string | null;
  abandon_position: number | null;
  source: string;
  caller_number: string | null;
}

type Pbx = Awaited<ReturnType<typeof startTestPbx>>;

let serial = 0;
/** A caller's number of this run (the simulator takes 7–15 digits). */
const aNumber = () => `7918${String(Date.now() % 1000).padStart(3, '0')}${String(++serial).padStart(4, '0')}`;

async function inject(pbx: Pbx, queue: string, outcome: 'ABANDON' | 'ANSWER', waitSeconds: number, talkSeconds?: number, callerNumber = aNumber()): Promise<string> {
  const { uniqueid } = await admin<{ uniqueid: string }>(pbx, 'POST', '/admin/calls', { queue, callerNumber, outcome, waitSeconds, ...(talkSeconds === undefined ? {} : { talkSeconds }) });
  return uniqueid;
}

async function groundTruth(pbx: Pbx): Promise<Map<string, Fact>> {
  const { items } = await admin<{ items: Fact[] }>(pbx, 'GET', '/admin/calls?limit=5000');
  return new Map(items.map((fact) => [fact.uniqueid, fact]));
}

async function recorded(dataSource: DataSource): Promise<Map<string, CallRow>> {
  const rows: CallRow[] = await dataSource.query(`SELECT uniqueid, branch, outcome, wait_seconds, talk_seconds, operator, abandon_position, source, caller_number FROM call`);
  return new Map(rows.map((row) => [row.uniqueid, row]));
}

/** Waits until every call of `uniqueids` has ended at the PBX and is recorded; then the recorded set equals the PBX's. */
async function allRecorded(pbx: Pbx, dataSource: DataSource, uniqueids: readonly string[]): Promise<{ truth: Map<string, Fact>; rows: Map<string, CallRow> }> {
  return waitFor(
    async () => {
      const [truth, rows] = await Promise.all([groundTruth(pbx), recorded(dataSource)]);
      return uniqueids.every((id) => truth.has(id) && rows.has(id)) && rows.size === truth.size ? { truth, rows } : undefined;
    },
    `${uniqueids.length} calls ended and recorded`,
    30_000,
  );
}

function expectSameCalls(truth: Map<string, Fact>, rows: Map<string, CallRow>): void {
  expect([...rows.keys()].sort()).toEqual([...truth.keys()].sort());
  for (const [uniqueid, fact] of truth) {
    expect({ uniqueid, ...pick(rows.get(uniqueid)) }).toEqual({
      uniqueid,
      branch: fact.queue,
      outcome: fact.outcome,
      wait_seconds: fact.holdSeconds,
      talk_seconds: fact.talkSeconds,
      operator: fact.agent,
      abandon_position: fact.abandonPosition,
    });
  }
}

function pick(row: CallRow | undefined) {
  return row && { branch: row.branch, outcome: row.outcome, wait_seconds: row.wait_seconds, talk_seconds: row.talk_seconds, operator: row.operator, abandon_position: row.abandon_position };
}

describe('calls from the PBX simulator', () => {
  let pbx: Pbx;
  let dataSource: DataSource;
  let app: CallsTestApp;

  const linkUp = (of: CallsTestApp, connections = 1) => waitFor(async () => of.link.connected && of.link.stats.connections >= connections && of.link.stats.lastBackfilled !== null, 'the AMI link up and recovered');

  beforeAll(async () => {
    pbx = await startTestPbx();
    dataSource = await schemaDataSource(schema, { migrations: callsTestMigrations, migrationsTableName: 'contact_center_migrations' });
    app = await startCallsTestApp(dataSource, pbx, { CC_CALLBACK_AUTODIAL: 'false' });
    await linkUp(app);
  });

  afterAll(async () => {
    await app?.close();
    await pbx?.close();
    await dropSchemas(schema);
  });

  it('records answered and abandoned calls once each, as the PBX saw them, numbers only hashed and encrypted', async () => {
    const number = aNumber();
    const ids = [await inject(pbx, 'head', 'ANSWER', 10, 30, number), await inject(pbx, 'sochi', 'ABANDON', 25), await inject(pbx, 'head', 'ABANDON', 5)];
    const { truth, rows } = await allRecorded(pbx, dataSource, ids);
    expectSameCalls(truth, rows);
    expect([...rows.values()].every((row) => row.source === 'AMI' && row.caller_number?.startsWith('v1:it:'))).toBe(true);
    const stored = JSON.stringify(await dataSource.query(`SELECT * FROM call`));
    expect(stored).not.toContain(number.slice(1));

    const operator = app.keyOf({ clientId: 'op-head', role: Role.OPERATOR, branch: 'head' });
    const supervisor = app.keyOf({ clientId: 'sup-head', role: Role.HEAD_SUPERVISOR, branch: null });
    const asOperator = await fetch(`${app.url}/v1/calls/${ids[0]}`, { headers: { authorization: `Bearer ${operator}` } }).then((r) => r.json());
    expect(asOperator).toMatchObject({ uniqueid: ids[0], branch: 'head', outcome: 'ANSWERED', callerNumber: `+${number}` });
    const asSupervisor = (await fetch(`${app.url}/v1/calls?branch=head&limit=1`, { headers: { authorization: `Bearer ${supervisor}` } }).then((r) => r.json())) as { items: { callerNumber: string }[]; nextCursor: string | null };
    expect(asSupervisor.items).toHaveLength(1);
    expect(asSupervisor.items[0].callerNumber).toMatch(/^\+7 9\*\* \*\*\*-\*\*-\d\d$/);
    expect(asSupervisor.nextCursor).toEqual(expect.any(String));
    const sochiOperator = app.keyOf({ clientId: 'op-sochi', role: Role.OPERATOR, branch: 'sochi' });
    expect((await fetch(`${app.url}/v1/calls?branch=head`, { headers: { authorization: `Bearer ${sochiOperator}` } })).status).toBe(403);
  });

  it('after a dropped AMI connection records every call exactly once, those that ended meanwhile from the queue_log', async () => {
    const before = app.link.stats.connections;
    const ids = [await inject(pbx, 'head', 'ANSWER', 4, 60), await inject(pbx, 'sochi', 'ABANDON', 40)];
    await waitFor(async () => app.live.figures().some((branch) => branch.waiting > 0 || branch.operators.talking > 0), 'the first calls in progress');
    await admin(pbx, 'POST', '/admin/drop', { refuseMs: 1500 });
    // These start and end while the service is cut off: only the queue_log has them.
    ids.push(await inject(pbx, 'head', 'ABANDON', 2), await inject(pbx, 'sochi', 'ABANDON', 3), await inject(pbx, 'head', 'ANSWER', 1, 4));
    await linkUp(app, before + 1);
    ids.push(await inject(pbx, 'head', 'ABANDON', 6));
    const { truth, rows } = await allRecorded(pbx, dataSource, ids);
    expectSameCalls(truth, rows);
    expect(ids.slice(2, 5).map((id) => rows.get(id)?.source)).toEqual(['QUEUE_LOG', 'QUEUE_LOG', 'QUEUE_LOG']);
    expect(app.link.stats.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a restarted service counts no call twice and loses none that ended while it was down', async () => {
    const number = aNumber();
    const ids = [await inject(pbx, 'head', 'ABANDON', 30, undefined, number), await inject(pbx, 'sochi', 'ANSWER', 2, 80)];
    await waitFor(async () => app.live.figures().some((branch) => branch.waiting > 0), 'a caller waiting');
    await app.close();
    ids.push(await inject(pbx, 'head', 'ABANDON', 3, undefined, number), await inject(pbx, 'sochi', 'ABANDON', 4));
    app = await startCallsTestApp(await reopen(stackAddresses().databaseUrl, schema), pbx, { CC_CALLBACK_AUTODIAL: 'false' });
    await linkUp(app);
    const { truth, rows } = await allRecorded(pbx, app.dataSource, ids);
    expectSameCalls(truth, rows);
    const tasks: { lost_calls: number; covered: string }[] = await app.dataSource.query(
      `SELECT t.lost_calls, count(tc.*)::text AS covered FROM callback_task t JOIN callback_task_call tc ON tc.task_id = t.id
       WHERE tc.call_uniqueid = ANY($1) GROUP BY t.id`,
      [ids.filter((id) => truth.get(id)?.callerNumber === number)],
    );
    expect(tasks).toEqual([{ lost_calls: 2, covered: '2' }]);
  });
});
