import 'reflect-metadata';
import { Body, Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { AppErrorFilter } from './app-error.filter';
import { ConflictError, ErrorKind, AppError, UnavailableError, ValidationError } from './app.errors';

class SlotTakenError extends ConflictError {
  constructor() {
    super('BOOKING.SLOT_TAKEN', 'slot is taken', { details: { slotId: '1.2.643.5.1.13.13.12.2.23.1234:777' } });
  }
}

class LedgerCorruptedError extends AppError {
  readonly kind = ErrorKind.internal;

  constructor() {
    super('BOOKING.LEDGER_CORRUPTED', 'row 42 of appointments has no slot');
  }
}

@Controller('probe')
class ProbeController {
  @Get('taken')
  taken(): never {
    throw new SlotTakenError();
  }

  @Get('invalid')
  invalid(): never {
    throw new ValidationError('COMMON.VALIDATION', 'visitStart must be an ISO date');
  }

  @Get('mis-down')
  misDown(): never {
    throw new UnavailableError('MIS.UNAVAILABLE', 'the MIS does not answer', { cause: new Error('ECONNREFUSED') });
  }

  @Get('corrupted')
  corrupted(): never {
    throw new LedgerCorruptedError();
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'snils') at /srv/booking/dist/main.js:10");
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [ProbeController], providers: [{ provide: APP_FILTER, useClass: AppErrorFilter }] })
class ProbeModule {}

describe('AppErrorFilter', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create(ProbeModule, { logger: false, bodyParser: true });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  async function call(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${baseUrl}${path}`, init);
    return { status: response.status, body: await response.json() };
  }

  it('answers an AppError with the status of its kind and its code, message and details', async () => {
    expect(await call('/probe/taken')).toEqual({
      status: 409,
      body: { error: { code: 'BOOKING.SLOT_TAKEN', message: 'slot is taken', details: { slotId: '1.2.643.5.1.13.13.12.2.23.1234:777' } } },
    });
    expect(await call('/probe/invalid')).toEqual({
      status: 400,
      body: { error: { code: 'COMMON.VALIDATION', message: 'visitStart must be an ISO date' } },
    });
    expect(await call('/probe/mis-down')).toEqual({
      status: 503,
      body: { error: { code: 'MIS.UNAVAILABLE', message: 'the MIS does not answer' } },
    });
  });

  it('keeps the code of an internal AppError but not its wording', async () => {
    expect(await call('/probe/corrupted')).toEqual({
      status: 500,
      body: { error: { code: 'BOOKING.LEDGER_CORRUPTED', message: 'Internal error' } },
    });
  });

  it('answers an unexpected error with 500 COMMON.INTERNAL and reveals neither message nor stack', async () => {
    const { status, body } = await call('/probe/bug');

    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'COMMON.INTERNAL', message: 'Internal error' } });
    expect(JSON.stringify(body)).not.toMatch(/snils|main\.js/);
  });

  it("passes Nest's own 404 for an unknown route through as HTTP.404", async () => {
    expect(await call('/nowhere')).toEqual({
      status: 404,
      body: { error: { code: 'HTTP.404', message: 'Cannot GET /nowhere' } },
    });
  });

  it('passes malformed JSON through as HTTP.400', async () => {
    const { status, body } = await call('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"slotId":',
    });

    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'HTTP.400', message: expect.any(String) } });
  });

  it("passes the body parser's 413 for an oversized body through as HTTP.413", async () => {
    const { status, body } = await call('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(200 * 1024) }),
    });

    expect(status).toBe(413);
    expect(body).toEqual({ error: { code: 'HTTP.413', message: 'request entity too large' } });
  });
});
