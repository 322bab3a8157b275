import { Role } from '@medbus/service-auth';
import { bookingRouteAllowed, checkSeatBranch, clearedSessionCookie, cookieValueOf, loginRequestOf, seatOf, sessionCookie } from './console-request.mapper';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('the seat a person binds at sign-in', () => {
  it('is an operator’s PBX interface', () => {
    expect(seatOf(Role.OPERATOR, 'PJSIP/sochi-op01')).toBe('PJSIP/sochi-op01');
    expect(seatOf(Role.OPERATOR, 'SIP/1001@pbx.kuban')).toBe('SIP/1001@pbx.kuban');
  });

  it('is none when not given, for any role', () => {
    expect(seatOf(Role.OPERATOR, undefined)).toBeNull();
    expect(seatOf(Role.HEAD_SUPERVISOR, null)).toBeNull();
    expect(seatOf(Role.SECOND_LINE, '')).toBeNull();
  });

  it('is refused when it is no interface, or the person no operator', () => {
    for (const seat of ['sochi-op01', 'PJSIP/', 'PJSIP/op 01', 'PJSIP/../x/y', `PJSIP/${'a'.repeat(61)}`, 'P/op01']) expect({ seat, code: codeOf(() => seatOf(Role.OPERATOR, seat)) }).toEqual({ seat, code: 'CONSOLE.INVALID_SEAT' });
    expect(codeOf(() => seatOf(Role.BRANCH_SUPERVISOR, 'PJSIP/sochi-op01'))).toBe('CONSOLE.INVALID_SEAT');
  });

  it('must be in the operator’s own branch’s queues when the PBX knows it, the head centre’s for an operator without a branch', () => {
    expect(codeOf(() => checkSeatBranch('sochi', 'head', ['sochi']))).toBeUndefined();
    expect(codeOf(() => checkSeatBranch('sochi', 'head', []))).toBeUndefined();
    expect(codeOf(() => checkSeatBranch(null, 'head', ['head']))).toBeUndefined();
    expect(codeOf(() => checkSeatBranch('sochi', 'head', ['sochi', 'head']))).toBe('CONSOLE.SEAT_OF_OTHER_BRANCH');
    expect(codeOf(() => checkSeatBranch(null, 'head', ['sochi']))).toBe('CONSOLE.SEAT_OF_OTHER_BRANCH');
  });
});

describe('the sign-in body', () => {
  it('names the wrong fields, never their values', () => {
    let details: unknown;
    try {
      loginRequestOf({ apiKey: 42, seat: 'PJSIP/x', extra: 'mbk.secret' });
    } catch (error) {
      details = (error as { details?: unknown }).details;
    }
    expect(details).toEqual({ fields: expect.arrayContaining(['apiKey']) });
    expect(JSON.stringify(details)).not.toContain('secret');
  });
});

describe('the session cookie', () => {
  it('is read from a Cookie header among others', () => {
    expect(cookieValueOf('a=1; mb_console=tok_en-1; b=2', 'mb_console')).toBe('tok_en-1');
    expect(cookieValueOf('mb_console="quoted"', 'mb_console')).toBe('quoted');
    expect(cookieValueOf('xmb_console=1; other', 'mb_console')).toBeUndefined();
    expect(cookieValueOf(undefined, 'mb_console')).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Strict, under /console only, Secure when configured, and cleared the same way', () => {
    expect(sessionCookie('t', { secure: false, maxAgeSeconds: 60 })).toBe('mb_console=t; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60');
    expect(sessionCookie('t', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
    expect(clearedSessionCookie(true)).toBe('mb_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  });
});

describe('what the console passes on to booking', () => {
  it('passes the searches, identification, appointments, holds and the waitlist', () => {
    const allowed: [string, string][] = [
      ['GET', 'v1/slots'],
      ['GET', 'v1/organisations'],
      ['GET', 'v1/specialties'],
      ['GET', 'v1/practitioners'],
      ['POST', 'v1/patients/identify'],
      ['GET', 'v1/appointments'],
      ['POST', 'v1/appointments'],
      ['GET', 'v1/appointments/0b6f3c1e-0d7c-4f59-9a43-2b7d1b1c9e10'],
      ['POST', 'v1/appointments/a-1/cancel'],
      ['POST', 'v1/appointments/a-1/reschedule'],
      ['POST', 'v1/holds'],
      ['GET', 'v1/holds/h-1'],
      ['DELETE', 'v1/holds/h-1'],
      ['POST', 'v1/waitlist'],
      ['GET', 'v1/waitlist/w-1'],
      ['delete', 'v1/waitlist/w-1'],
    ];
    expect(allowed.filter(([method, path]) => !bookingRouteAllowed(method, path))).toEqual([]);
  });

  it('passes nothing else: other routes, other methods, traversal', () => {
    const refused: [string, string][] = [
      ['GET', 'v1/audit'],
      ['GET', 'v1/adapters'],
      ['POST', 'v1/auth/introspect'],
      ['POST', 'v1/slots'],
      ['DELETE', 'v1/appointments/a-1'],
      ['PUT', 'v1/holds/h-1'],
      ['GET', 'v1/holds/..'],
      ['GET', 'v1/holds/h-1/extra'],
      ['GET', 'v1/appointments/a-1/cancel'],
      ['GET', 'health/ready'],
      ['GET', 'v1/slots/'],
      ['GET', 'hubservice'],
    ];
    expect(refused.filter(([method, path]) => bookingRouteAllowed(method, path))).toEqual([]);
  });
});
