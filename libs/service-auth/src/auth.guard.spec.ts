import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, NestFactory } from '@nestjs/core';
import { AppErrorFilter } from '@medbus/errors';
import type { Introspection } from './introspection';
import { AuthGuard, CurrentCaller, Public, Roles } from './auth.guard';
import { AuthErrorCode } from './auth.errors';
import { CredentialsService } from './credentials.service';
import type { Caller } from './introspection';

const keyOf = (n: number) => `mbk.${n.toString(16).padStart(16, '0')}.${'s'.repeat(43)}`;
const federalKey = keyOf(1);
const portalKey = keyOf(2);
const unreachableKey = keyOf(3);

const answers = new Map<string, Introspection>([
  [federalKey, { active: true, clientId: 'fer', role: 'FEDERAL_REGISTRY', channel: 'FEDERAL_PORTAL' }],
  [portalKey, { active: true, clientId: 'portal', role: 'PORTAL', channel: 'PORTAL' }],
]);

const booking = {
  introspect: async (key: string): Promise<Introspection> => {
    if (key === unreachableKey) throw Object.assign(new Error('down'), { name: 'ConnectionFailure' });
    return answers.get(key) ?? { active: false };
  },
};

@Controller()
class ProbeController {
  @Get('health')
  @Public()
  health(): { ok: boolean } {
    return { ok: true };
  }

  @Get('federal')
  @Roles('FEDERAL_REGISTRY')
  federal(@CurrentCaller() caller: Caller): Caller {
    return caller;
  }

  @Get('undeclared')
  undeclared(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    { provide: CredentialsService, useValue: new CredentialsService(booking) },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useFactory: (host: HttpAdapterHost) => new AppErrorFilter(host), inject: [HttpAdapterHost] },
  ],
})
class ProbeModule {}

describe('a service authenticating its callers at booking', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(ProbeModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(() => app.close());

  async function get(path: string, key?: string): Promise<{ status: number; body: { error?: { code: string } } & Record<string, unknown> }> {
    const response = await fetch(`${url}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  }

  it('lets anyone reach a public route', async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it('lets a client of an admitted role in, as itself', async () => {
    expect(await get('/federal', federalKey)).toEqual({ status: 200, body: { clientId: 'fer', role: 'FEDERAL_REGISTRY', channel: 'FEDERAL_PORTAL', branch: null } });
  });

  it.each([
    ['no key', undefined, 401, AuthErrorCode.missingCredentials],
    ['an unknown key', keyOf(9), 401, AuthErrorCode.invalidCredentials],
    ['a key of another role', portalKey, 403, AuthErrorCode.forbidden],
    ['any key while booking cannot be asked', unreachableKey, 503, AuthErrorCode.unavailable],
  ])('refuses %s', async (_what, key, status, code) => {
    const answer = await get('/federal', key);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  });

  it('refuses a route that declares no roles to everyone', async () => {
    const answer = await get('/undeclared', federalKey);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 403, code: AuthErrorCode.forbidden });
  });
});
