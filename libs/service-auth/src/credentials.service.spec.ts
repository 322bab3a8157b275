import { UnavailableError, ValidationError } from '@medbus/errors';
import type { Introspection } from './introspection';
import { AuthErrorCode } from './auth.errors';
import { CredentialsService, credentialCacheMs, credentialCacheSize } from './credentials.service';

const keyOf = (n: number) => `mbk.${n.toString(16).padStart(16, '0')}.${'s'.repeat(43)}`;
const federal: Introspection = { active: true, clientId: 'fer', role: 'FEDERAL_REGISTRY', channel: 'FEDERAL_PORTAL' };

/** Booking's introspection as a table the test changes, counting the questions it was asked. */
function bookingWith(answers: Map<string, Introspection | Error>) {
  const asked: string[] = [];
  return {
    asked,
    introspect: async (key: string): Promise<Introspection> => {
      asked.push(key);
      const answer = answers.get(key) ?? { active: false };
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('API keys checked through booking', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('answers the caller booking names and asks booking again only after the cache time', async () => {
    const booking = bookingWith(new Map([[keyOf(1), federal]]));
    const credentials = new CredentialsService(booking, clock);
    await expect(credentials.authenticate(keyOf(1))).resolves.toEqual({ clientId: 'fer', role: 'FEDERAL_REGISTRY', channel: 'FEDERAL_PORTAL', branch: null });
    now += credentialCacheMs - 1;
    await credentials.authenticate(keyOf(1));
    expect(booking.asked).toHaveLength(1);
    now += 1;
    await credentials.authenticate(keyOf(1));
    expect(booking.asked).toHaveLength(2);
  });

  it('lets a revocation at booking take effect within the cache time', async () => {
    const answers = new Map<string, Introspection | Error>([[keyOf(2), federal]]);
    const credentials = new CredentialsService(bookingWith(answers), clock);
    await credentials.authenticate(keyOf(2));
    answers.set(keyOf(2), { active: false });
    now += credentialCacheMs;
    await expect(credentials.authenticate(keyOf(2))).rejects.toMatchObject({ code: AuthErrorCode.invalidCredentials });
  });

  it('remembers a refusal too, so a repeated bad key costs booking one question per cache time', async () => {
    const booking = bookingWith(new Map());
    const credentials = new CredentialsService(booking, clock);
    for (let i = 0; i < 3; i++) await expect(credentials.authenticate(keyOf(3))).rejects.toMatchObject({ code: AuthErrorCode.invalidCredentials });
    expect(booking.asked).toHaveLength(1);
  });

  it('refuses what is not a medbus key without asking booking', async () => {
    const booking = bookingWith(new Map());
    const credentials = new CredentialsService(booking, clock);
    await expect(credentials.authenticate('secret')).rejects.toMatchObject({ code: AuthErrorCode.invalidCredentials });
    expect(booking.asked).toEqual([]);
  });

  it('asks booking once for concurrent checks of one key', async () => {
    const booking = bookingWith(new Map([[keyOf(4), federal]]));
    const credentials = new CredentialsService(booking, clock);
    await Promise.all([credentials.authenticate(keyOf(4)), credentials.authenticate(keyOf(4)), credentials.authenticate(keyOf(4))]);
    expect(booking.asked).toHaveLength(1);
  });

  it('never lets anyone in when booking cannot be asked, and does not remember the failure', async () => {
    const answers = new Map<string, Introspection | Error>([[keyOf(5), new UnavailableError('EXPORTER.BOOKING_UNREACHABLE', 'down')]]);
    const booking = bookingWith(answers);
    const credentials = new CredentialsService(booking, clock);
    await expect(credentials.authenticate(keyOf(5))).rejects.toMatchObject({ code: AuthErrorCode.unavailable, kind: 'unavailable' });
    answers.set(keyOf(5), federal);
    await expect(credentials.authenticate(keyOf(5))).resolves.toMatchObject({ clientId: 'fer' });
  });

  it('reads booking refusing to read a key (400) as an invalid key', async () => {
    const credentials = new CredentialsService(bookingWith(new Map([[keyOf(6), new ValidationError('BOOKING.INVALID_REQUEST', 'x')]])), clock);
    await expect(credentials.authenticate(keyOf(6))).rejects.toMatchObject({ code: AuthErrorCode.invalidCredentials });
  });

  it('keeps at most its bounded number of keys, forgetting the oldest first', async () => {
    const booking = bookingWith(new Map([[keyOf(0), federal]]));
    const credentials = new CredentialsService(booking, clock);
    await credentials.authenticate(keyOf(0));
    for (let i = 1; i <= credentialCacheSize; i++) await credentials.authenticate(keyOf(i)).catch(() => undefined);
    expect(booking.asked).toHaveLength(credentialCacheSize + 1);
    await credentials.authenticate(keyOf(0));
    expect(booking.asked).toHaveLength(credentialCacheSize + 2);
    await credentials.authenticate(keyOf(credentialCacheSize)).catch(() => undefined);
    expect(booking.asked).toHaveLength(credentialCacheSize + 2);
  });
});
