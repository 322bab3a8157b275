import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'x-medrest-signature';

/** Seconds a receiver accepts between the signature's `t` and its own clock, by default. */
export const signatureToleranceSeconds = 300;

const hmacOf = (secret: string, t: number, body: string): string => createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the value of X-MedREST-Signature. */
export function signatureOf(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacOf(secret, unixSeconds, body)}`;
}

/**
 * Whether a signature header is the secret's for that exact body, signed within the tolerance of
 * `nowSeconds`. Several `v1` values are accepted (a sender rotating its secret signs with both).
 */
export function verifySignature(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = signatureToleranceSeconds): boolean {
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([name]) => name === 't')?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacOf(secret, t, body), 'hex');
  return parts
    .filter(([name, value]) => name === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value ?? '', 'hex'), expected));
}
