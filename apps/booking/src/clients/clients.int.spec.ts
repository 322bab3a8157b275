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
  const keys = { federal: '', portal: '', operations: '', expiring: '', revoked: '' };
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

  it('tells the federal registry whose a live key is, its role, channel and expiry', async () => {
    expect(await introspect(keys.portal)).toEqual({ status: 200, body: { active: true, clientId: 'portal', role: 'PORTAL', channel: 'PORTAL' } });
    expect(await introspect(keys.expiring)).toEqual({
      status: 200,
      body: { active: true, clientId: 'kiosk-portal', role: 'PORTAL', channel: 'KIOSK', expiresAt: expiresAt.toISOString() },
    });
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

  it('refuses introspection to every other role, operations included', async () => {
    for (const key of [keys.portal, keys.operations]) {
      const answer = await introspect(keys.federal, key);
      expect([answer.status, codeOf(answer.body)]).toEqual([403, 'AUTH.FORBIDDEN']);
    }
  });

  it('lists every adapter with its organisations to the federal registry and operations, and to no portal', async () => {
    for (const key of [keys.federal, keys.operations]) {
      const answer = await as(key, 'GET', '/v1/adapters');
      expect(answer.status).toBe(200);
      expect(answer.body['items']).toEqual([{ adapterId, organisations: [...organisations].sort() }]);
    }
    const refused = await as(keys.portal, 'GET', '/v1/adapters');
    expect([refused.status, codeOf(refused.body)]).toEqual([403, 'AUTH.FORBIDDEN']);
  });
});
