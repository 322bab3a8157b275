import { AdapterRegistry, adapterRegistryMaxAgeMs, adapterRegistryMissReloadMs, type AdapterSource, type RegisteredAdapterOrganisations } from './adapter-registry.service';

/** Booking's registry as a list the test changes, counting how often it was read. */
class Booking implements AdapterSource {
  reads = 0;
  failWith?: Error;

  constructor(public registered: RegisteredAdapterOrganisations[]) {}

  async adapters(): Promise<RegisteredAdapterOrganisations[]> {
    this.reads++;
    if (this.failWith) throw this.failWith;
    return this.registered;
  }
}

describe('the registry of which adapter serves which organisation', () => {
  let now: number;
  let waited: number[];
  const clock = () => now;
  const wait = async (ms: number) => {
    waited.push(ms);
    now += ms;
  };
  const registryOver = (booking: Booking) => new AdapterRegistry(booking, clock, wait);

  beforeEach(() => {
    now = 1_000_000;
    waited = [];
  });

  it('refuses exactly the organisations not registered to the adapter', async () => {
    const booking = new Booking([
      { adapterId: 'medialog', organisations: ['1.1', '1.2'] },
      { adapterId: 'other', organisations: ['2.1'] },
    ]);
    const registry = registryOver(booking);
    expect(await registry.notServedBy('medialog', ['1.1', '1.2'])).toEqual(new Set());
    expect(await registry.notServedBy('medialog', ['1.1', '2.1', '9.9'])).toEqual(new Set(['2.1', '9.9']));
  });

  it('keeps an answer for its maximum age and reads booking again after it', async () => {
    const booking = new Booking([{ adapterId: 'medialog', organisations: ['1.1'] }]);
    const registry = registryOver(booking);
    await registry.notServedBy('medialog', ['1.1']);
    now += adapterRegistryMaxAgeMs;
    await registry.notServedBy('medialog', ['1.1']);
    expect(booking.reads).toBe(1);
    booking.registered = [];
    now += 1;
    expect(await registry.notServedBy('medialog', ['1.1'])).toEqual(new Set(['1.1']));
  });

  it('serves an organisation registered a moment ago: a miss reads booking again, waiting out the minimum interval', async () => {
    const booking = new Booking([]);
    const registry = registryOver(booking);
    expect(await registry.notServedBy('medialog', ['1.1'])).toEqual(new Set(['1.1']));
    booking.registered = [{ adapterId: 'medialog', organisations: ['1.1'] }];
    expect(await registry.notServedBy('medialog', ['1.1'])).toEqual(new Set());
    expect(waited).toEqual([adapterRegistryMissReloadMs]);
    expect(booking.reads).toBe(2);
  });

  it('shares one read of booking between concurrent look-ups', async () => {
    const booking = new Booking([{ adapterId: 'medialog', organisations: ['1.1'] }]);
    const registry = registryOver(booking);
    await Promise.all([registry.notServedBy('medialog', ['1.1']), registry.notServedBy('medialog', ['1.1']), registry.notServedBy('medialog', ['1.1'])]);
    expect(booking.reads).toBe(1);
  });

  it('lets booking unreachable fail the look-up instead of refusing on no answer, and reads again next time', async () => {
    const booking = new Booking([{ adapterId: 'medialog', organisations: ['1.1'] }]);
    booking.failWith = new Error('booking did not answer');
    const registry = registryOver(booking);
    await expect(registry.notServedBy('medialog', ['1.1'])).rejects.toThrow('booking did not answer');
    booking.failWith = undefined;
    expect(await registry.notServedBy('medialog', ['1.1'])).toEqual(new Set());
  });
});
