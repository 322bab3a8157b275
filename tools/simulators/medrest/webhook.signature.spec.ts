import { signatureOf, verifySignature } from './webhook.signature';

const secret = 'whsec-test-secret-0001';
const body = '{"id":"evt-1"}';

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as openssl computes it', () => {
    // printf '%s' '1700000000.{"id":"evt-1"}' | openssl dgst -sha256 -hmac whsec-test-secret-0001
    expect(signatureOf(secret, body, 1_700_000_000)).toBe('t=1700000000,v1=8dba44c92b6f09ed151a14c53606528bd848666c1cd552d76dc6bad5c9e6ae3f');
  });

  it('verifies for the exact body and secret within the tolerance only', () => {
    const header = signatureOf(secret, body, 1_700_000_000);
    expect(verifySignature(secret, header, body, 1_700_000_100)).toBe(true);
    expect(verifySignature(secret, header, '{"id":"evt-2"}', 1_700_000_100)).toBe(false);
    expect(verifySignature('another-secret-0001', header, body, 1_700_000_100)).toBe(false);
    expect(verifySignature(secret, header, body, 1_700_000_301)).toBe(false);
    expect(verifySignature(secret, 'v1=abc', body, 1_700_000_000)).toBe(false);
  });

  it('accepts any of several v1 values, as sent while a secret is rotated', () => {
    const fresh = signatureOf(secret, body, 1_700_000_000);
    const old = signatureOf('the-old-secret-0001', body, 1_700_000_000).split(',')[1];
    expect(verifySignature(secret, `${old},${fresh}`, body, 1_700_000_000)).toBe(true);
  });
});
