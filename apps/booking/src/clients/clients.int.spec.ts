import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { dropSchemas, stackAddresses, stackKafkaEnv, uniqueName } from '@medbus/testing';
import { AppModule } from '../app.module';
import { ClientsService, registerAdapter } from './clients.service';

const run = uniqueName('clients').replace(/[^a-z0-9]/g, '');
const schema = `booking_clients_it_${run}`.slice(0, 60);

type Json = Record<string, unknown>;

describe('the routes through which other services check keys and read the adapters', () => {
  let app: INestApplication;
  let baseUrl: string;
  let clients: ClientsService;
  const keys = { federal: '', contactCentre: '', portal: '', operations: '', operator: '', homeOperator: '', supervisor: '', expiring: '', revoked: '' };
  const expiresAt = new Date(Date.UTC(2031, 0, 1));
  const adapterId = `it-${run}`.slice(0, 40);
  const organisations = [`9.${run}.2`, `9.${run}.1`];

  async function as(key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  const codeOf = (body: Json): unknown => (body['error'] as Json | undefined)?.['code'];
  const introspect = (credential: unknown, key = keys.federal) => as(key, 'POST', '/v1/auth/introspect', { credential });

  beforeAll(async () => {
    const stack = stackAddresses();
    const env = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      ...stackKafkaEnv(),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      DATABASE_URL: stack.databaseUrl,
      HTTP_PORT: '8080',
      BOOKING_DATABASE_SCHEMA: schema,
      BOOKING_DATA_KEYS: `it=${randomBytes(32).toString('base64')}`,
      BOOKING_CONSUMER_GROUP: uniqueName('booking-clients-it'),
      OTEL_SDK_DISABLED: 'true',
    };
    app = await NestFactory.create(AppModule.forRoot(env), { logger: false });
    await app.listen(0);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    clients = app.get(ClientsService);
    keys.federal = (await clients.issue({ clientId: 'federal', role: 'FEDERAL_REGISTRY' })).secret;
    keys.portal = (await clients.issue({ clientId: 'portal', role: 'PORTAL' })).secret;
    keys.operations = (await clients.issue({ clientId: 'operations', role: 'OPERATIONS' })).secret;
    keys.contactCentre = (await clients.issue({ clientId: 'contact-center', role: 'CONTACT_CENTRE' })).secret;
    keys.operator = (await clients.issue({ clientId: 'op-head', role: 'OPERATOR' })).secret;
    keys.homeOperator = (await clients.issue({ clientId: 'op-sochi', role: 'OPERATOR', branch: 'sochi' })).secret;
    keys.supervisor = (await clients.issue({ clientId: 'sv-sochi', role: 'BRANCH_SUPERVISOR', branch: 'sochi' })).secret;
    keys.expiring = (await clients.issue({ clientId: 'kiosk-portal', role: 'PORTAL', channel: 'KIOSK' }, { expiresAt })).secret;
    const revoked = await clients.issue({ clientId: 'gone', role: 'OPERATOR' });
    keys.revoked = revoked.secret;
    await clients.revoke('gone', revoked.credentialId);
    await registerAdapter(app.get<DataSource>(getDataSourceToken()), adapterId, organisations);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchemas(schema);
  });

  it('tells the federal registry whose a live key is, its role, channel, branch and expiry', async () => {
    expect(await introspect(keys.portal)).toEqual({ status: 200, body: { active: true, clientId: 'portal', role: 'PORTAL', channel: 'PORTAL', branch: null } });
    expect(await introspect(keys.expiring)).toEqual({
      status: 200,
      body: { active: true, clientId: 'kiosk-portal', role: 'PORTAL', channel: 'KIOSK', branch: null, expiresAt: expiresAt.toISOString() },
    });
  });

  it("tells the contact centre its callers' branches: a supervisor's, an operator's home one, none for the head centre", async () => {
    const answers = await Promise.all([keys.supervisor, keys.homeOperator, keys.operator].map((key) => introspect(key, keys.contactCentre)));
    expect(answers).toEqual([
      { status: 200, body: { active: true, clientId: 'sv-sochi', role: 'BRANCH_SUPERVISOR', channel: 'CONTACT_CENTRE', branch: 'sochi' } },
      { status: 200, body: { active: true, clientId: 'op-sochi', role: 'OPERATOR', channel: 'CONTACT_CENTRE', branch: 'sochi' } },
      { status: 200, body: { active: true, clientId: 'op-head', role: 'OPERATOR', channel: 'CONTACT_CENTRE', branch: null } },
    ]);
    expect(await introspect(keys.revoked, keys.contactCentre)).toEqual({ status: 200, body: { active: false } });
  });

  it('refuses a branch supervisor without a branch, a branch to the head-centre supervisor or a portal, and registers none of them', async () => {
    const refusals = [
      { clientId: 'sv-nowhere', role: 'BRANCH_SUPERVISOR' },
      { clientId: 'sv-badly-named', role: 'BRANCH_SUPERVISOR', branch: 'Sochi' },
      { clientId: 'sv-head', role: 'HEAD_SUPERVISOR', branch: 'sochi' },
      { clientId: 'portal-of-sochi', role: 'PORTAL', branch: 'sochi' },
    ] as const;
    for (const client of refusals) {
      await expect(clients.issue(client)).rejects.toMatchObject({ code: 'AUTH.INVALID_CLIENT' });
    }
    const registered = (await clients.list()).map((client) => client.clientId);
    expect(registered.filter((clientId) => refusals.some((client) => client.clientId === clientId))).toEqual([]);
    const db = app.get<DataSource>(getDataSourceToken());
    await expect(db.query(`INSERT INTO auth_client (client_id, role) VALUES ('sv-direct', 'BRANCH_SUPERVISOR')`)).rejects.toThrow(/auth_client_branch_of_role/);
    await expect(db.query(`INSERT INTO auth_client (client_id, role, branch) VALUES ('sv-direct', 'BRANCH_SUPERVISOR', 'Sochi')`)).rejects.toThrow(
      /auth_client_branch_check/,
    );
  });

  it("keeps a client's branch when it is issued another key, moves it when one is given, and lists it", async () => {
    await clients.issue({ clientId: 'sv-sochi', role: 'BRANCH_SUPERVISOR' });
    await clients.issue({ clientId: 'expert', role: 'SECOND_LINE' });
    const moved = await clients.issue({ clientId: 'expert', role: 'SECOND_LINE', branch: 'anapa' });
    const listed = await clients.list();
    expect(listed.filter((client) => ['sv-sochi', 'expert', 'op-head'].includes(client.clientId)).map(({ clientId, role, branch }) => ({ clientId, role, branch }))).toEqual([
      { clientId: 'expert', role: 'SECOND_LINE', branch: 'anapa' },
      { clientId: 'op-head', role: 'OPERATOR', branch: null },
      { clientId: 'sv-sochi', role: 'BRANCH_SUPERVISOR', branch: 'sochi' },
    ]);
    expect((await introspect(moved.secret, keys.contactCentre)).body).toMatchObject({ clientId: 'expert', role: 'SECOND_LINE', branch: 'anapa' });
  });

  it('answers only `active: false` for a revoked, a made-up or a malformed key', async () => {
    const madeUp = `mbk.${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`;
    const forged = `${keys.portal.slice(0, 21)}${randomBytes(32).toString('base64url')}`;
    for (const credential of [keys.revoked, madeUp, forged, 'not-a-key']) {
      expect(await introspect(credential)).toEqual({ status: 200, body: { active: false } });
    }
  });

  it('refuses a body without a credential, with another field, or with an overlong one', async () => {
    for (const body of [{}, { credential: keys.portal, reason: 'x' }, { credential: 'x'.repeat(201) }, { credential: 7 }]) {
      const answer = await as(keys.federal, 'POST', '/v1/auth/introspect', body);
      expect([answer.status, codeOf(answer.body)]).toEqual([400, 'BOOKING.INVALID_REQUEST']);
    }
  });

  it('refuses introspection to every other role, operators and operations included', async () => {
    const head = (await clients.issue({ clientId: 'sv-head-centre', role: 'HEAD_SUPERVISOR' })).secret;
    for (const key of [keys.portal, keys.operations, keys.operator, keys.supervisor, head]) {
      const answer = await introspect(keys.federal, key);
      expect([answer.status, codeOf(answer.body)]).toEqual([403, 'AUTH.FORBIDDEN']);
    }
  });

  it('lists every adapter with its organisations to the federal registry, the contact centre and operations, and to no portal', async () => {
    for (const key of [keys.federal, keys.contactCentre, keys.operations]) {
      const answer = await as(key, 'GET', '/v1/adapters');
      expect(answer.status).toBe(200);
      expect(answer.body['items']).toEqual([{ adapterId, organisations: [...organisations].sort() }]);
    }
    const refused = await as(keys.portal, 'GET', '/v1/adapters');
    expect([refused.status, codeOf(refused.body)]).toEqual([403, 'AUTH.FORBIDDEN']);
  });
});
