import { z } from 'zod';
import { ValidationError } from '@medbus/errors';
import { Role } from '@medbus/service-auth';
import { InvalidSeatError, SeatOfOtherBranchError } from './console.errors';

export const sessionCookieName = 'mb_console';
/** Every console request that changes something carries it: a cross-site form or image cannot set a header. */
export const csrfHeader = 'x-medbus-console';
export const consoleApiPrefix = '/console/api/';
export const ccPassThroughPrefix = '/console/api/cc';
export const bookingPassThroughPrefix = '/console/api/booking/';

/** A PBX interface as Asterisk names a phone: technology / resource (`PJSIP/sochi-op01`). */
export const seatPattern = /^[A-Za-z]{2,10}\/[A-Za-z0-9_.@-]{1,60}$/;

export const loginSchema = z
  .object({
    apiKey: z.string().min(1).max(200),
    seat: z.string().max(80).nullable().optional(),
  })
  .strict();

export type LoginRequest = z.output<typeof loginSchema>;

/** The login body, or 400 REQUEST.VALIDATION naming the fields, never their values (one is a key). */
export function loginRequestOf(body: unknown): LoginRequest {
  const parsed = loginSchema.safeParse(body);
  if (!parsed.success) {
    throw new ValidationError('REQUEST.VALIDATION', 'the body must be { apiKey, seat? }', { details: { fields: [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))] } });
  }
  return parsed.data;
}

/** The seat a person may bind: an operator's PBX interface, or none. */
export function seatOf(role: string, seat: string | null | undefined): string | null {
  if (seat === undefined || seat === null || seat === '') return null;
  if (role !== Role.OPERATOR) throw new InvalidSeatError('not-an-operator');
  if (!seatPattern.test(seat)) throw new InvalidSeatError('malformed');
  return seat;
}

/**
 * The PBX knows the seat as a member of queues of these branches (none: not logged in to a queue):
 * each must be the operator's (his branch, or the head centre's without one).
 */
export function checkSeatBranch(operatorBranch: string | null, headBranch: string, seatBranches: readonly string[]): void {
  const own = operatorBranch ?? headBranch;
  if (seatBranches.some((branch) => branch !== own)) throw new SeatOfOtherBranchError();
}

/** One cookie's value from a Cookie header (RFC 6265 pairs), undefined when absent. */
export function cookieValueOf(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    if (pair.slice(0, at).trim() !== name) continue;
    const value = pair.slice(at + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** The Set-Cookie of a session: HttpOnly (no script reads it), SameSite=Strict, only under /console. */
export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return `${sessionCookieName}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** Whether a request must carry the CSRF header: everything but reads. */
export function changesSomething(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

const id = '[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,199}';
const route = (methods: string, path: string): { methods: readonly string[]; path: RegExp } => ({ methods: methods.split('|'), path: new RegExp(`^${path}$`) });

/** What the console may ask booking as the signed-in person (console contract); nothing else passes. */
const bookingRoutes = [
  route('GET', 'v1/(slots|organisations|specialties|practitioners)'),
  route('POST', 'v1/patients/identify'),
  route('GET|POST', 'v1/appointments'),
  route('GET', `v1/appointments/${id}`),
  route('POST', `v1/appointments/${id}/(cancel|reschedule)`),
  route('POST|GET|DELETE', `v1/(holds|waitlist)(/${id})?`),
];

/** Whether `method` on booking's `path` (no leading slash, no query) may be passed through. */
export function bookingRouteAllowed(method: string, path: string): boolean {
  const upper = method.toUpperCase();
  return bookingRoutes.some((r) => r.methods.includes(upper) && r.path.test(path));
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what only concerns the hop to us: never passed on either way. */
export const hopByHopHeaders = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'content-encoding', 'set-cookie', 'cookie', 'host']);
