import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutgoingEvent } from '@medbus/kafka';
import { CircuitBreaker, CodeMap, DataQualityReport, ManualClock, MisUnavailableError, Publication, defaultSpecialtyRules } from '@medbus/mis-adapter-kit';
import { recorded } from './__fixtures__/recorded';
import { DumpApplier } from './dump-apply.service';
import type { DumpIndexEntry } from './dump-index.mapper';
import { MemoryDumpLedger } from './dump-ledger.service';
import { DumpSource, type DumpSession } from './dump-source.client';
import { DumpSync } from './dump-sync.service';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The vendor's folder in memory: the files it lists, and downloads that can be cut. */
class FolderSource extends DumpSource {
  readonly transport = 'http';
  readonly files = new Map<string, { kind: DumpIndexEntry['kind']; seq: number; body: Buffer }>();
  readonly downloads: string[] = [];
  cutNext = false;

  put(kind: DumpIndexEntry['kind'], seq: number, body: Buffer): void {
    this.files.set(`${kind}-${seq}.xml`, { kind, seq, body });
  }

  async open(): Promise<DumpSession> {
    return {
      readIndex: async () => {
        const lines = [...this.files].map(([name, f]) => `<Dump name="${name}" kind="${f.kind}" seq="${f.seq}" size="${f.body.length}" sha256="${createHash('sha256').update(f.body).digest('hex')}" generated="2026-11-30T05:00:0${f.seq}+03:00"/>`);
        return Buffer.from(`<DumpIndex>${lines.join('')}</DumpIndex>`);
      },
      download: async (entry: DumpIndexEntry, path: string) => {
        this.downloads.push(entry.name);
        const file = this.files.get(entry.name);
        if (!file) throw new MisUnavailableError('gone');
        if (this.cutNext) {
          this.cutNext = false;
          await writeFile(path, file.body.subarray(0, file.body.length / 2));
          throw new MisUnavailableError(`XMLDump download of ${entry.name} incomplete`, { details: { reason: 'SIZE_MISMATCH' } });
        }
        await writeFile(path, file.body);
      },
      close: async () => undefined,
    };
  }
}

describe('keeping the publication equal to the vendor’s dumps', () => {
  let tempDir: string;
  beforeEach(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'xmldump-sync-'));
  });
  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  async function setUp(ledger = new MemoryDumpLedger(), source = new FolderSource()) {
    const sent: OutgoingEvent[] = [];
    const clock = new ManualClock('2026-11-30T06:00:00+03:00');
    const quality = new DataQualityReport();
    const publication = new Publication({ publishAll: async (events) => (sent.push(...events), events.map(() => 'id')) }, clock, new Set(['1.2.643.5.1.13.13.12.2.923.1037', '1.2.643.5.1.13.13.12.2.923.1074']), quality, quiet);
    const applier = new DumpApplier(publication, new CodeMap(), quality, { misVendor: 'xmldump', bookingChannels: ['CONTACT_CENTRE'], specialtyRules: defaultSpecialtyRules, maxUnitBytes: 1024 * 1024, concurrency: 2 });
    let syncRequested: () => void = () => undefined;
    const requested = new Promise<void>((resolve) => (syncRequested = resolve));
    const answered: boolean[] = [];
    const sync = new DumpSync(
      source,
      applier,
      new CircuitBreaker(clock, { failureThreshold: 100, openMs: 1000 }),
      clock,
      { adapterId: 'xmldump-test', tempDir, maxIndexBytes: 64 * 1024, maxDumpBytes: 1024 * 1024, retry: { initialDelayMs: 20, maxDelayMs: 40 }, onAnswered: (ok) => answered.push(ok) },
      quiet,
      () => syncRequested(),
    );
    await sync.start(ledger);
    return { sync, source, sent, clock, ledger, requested, answered };
  }

  it('applies the newest full dump, then its partials in seq order, each once, and remembers the last one applied', async () => {
    const { sync, source, sent } = await setUp();
    source.put('full', 1, recorded('schedule-full.dump.xml'));
    source.put('partial', 2, recorded('schedule-partial.dump.xml'));

    const first = await sync.sync({ reassert: false });
    expect(first).toEqual({ published: sent.length, failures: 0 });
    expect(source.downloads).toEqual(['full-1.xml', 'partial-2.xml']);
    expect(sync.lastApplied).toEqual({ name: 'partial-2.xml', seq: 2, generatedAt: new Date('2026-11-30T05:00:02+03:00') });
    expect(sync.clinicCodeOf('1.2.643.5.1.13.13.12.2.923.1074')).toBe('2');

    expect(await sync.sync({ reassert: false })).toEqual({ published: 0, failures: 0 });
    expect(source.downloads).toHaveLength(2);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('publishes nothing of a download cut short, holds the next pass back, asks for it when the wait is over, and then applies the dump', async () => {
    const { sync, source, sent, clock, requested, answered } = await setUp();
    source.put('full', 1, recorded('schedule-full.dump.xml'));
    source.cutNext = true;

    await expect(sync.sync({ reassert: false })).rejects.toMatchObject({ code: 'MIS.UNAVAILABLE', details: { reason: 'SIZE_MISMATCH' } });
    expect(sent).toEqual([]);
    expect(sync.lastApplied).toBeNull();
    expect(answered).toEqual([true, false]);
    expect(sync.retryingAt).not.toBeNull();
    expect(await sync.sync({ reassert: false })).toEqual({ published: 0, failures: 1 });
    expect(source.downloads).toEqual(['full-1.xml']);

    await requested;
    clock.advance(100);
    await sync.sync({ reassert: false });
    expect(source.downloads).toEqual(['full-1.xml', 'full-1.xml']);
    expect(sync.lastApplied?.seq).toBe(1);
    expect(sent.length).toBeGreaterThan(0);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('refuses a broken dump whole, never downloads it again, and applies the partials after it', async () => {
    const { sync, source, sent } = await setUp();
    source.put('full', 1, recorded('schedule-full.dump.xml'));
    await sync.sync({ reassert: false });
    const published = sent.length;
    const partial = recorded('schedule-partial.dump.xml').toString('utf8');
    source.put('partial', 2, Buffer.from(partial.replace('tickets="33"', 'tickets="34"')));
    source.put('partial', 3, Buffer.from(partial.replace('seq="2"', 'seq="3"')));

    expect(await sync.sync({ reassert: false })).toMatchObject({ failures: 1 });
    expect(sync.counters).toMatchObject({ applied: 2, rejected: 1 });
    expect(sync.lastApplied?.seq).toBe(3);
    expect(sent.length).toBeGreaterThan(published);
    await sync.sync({ reassert: false });
    expect(source.downloads).toEqual(['full-1.xml', 'partial-2.xml', 'partial-3.xml']);
  });

  it('after a restart applies only what is new, and knows the clinics and the last dump from its ledger', async () => {
    const ledger = new MemoryDumpLedger();
    const source = new FolderSource();
    source.put('full', 1, recorded('schedule-full.dump.xml'));
    await (await setUp(ledger, source)).sync.sync({ reassert: false });

    const restarted = await setUp(ledger, source);
    expect(restarted.sync.lastApplied?.seq).toBe(1);
    expect(restarted.sync.clinicCodeOf('1.2.643.5.1.13.13.12.2.923.1037')).toBe('1');
    source.put('partial', 2, recorded('schedule-partial.dump.xml'));
    await restarted.sync.sync({ reassert: false });
    expect(source.downloads).toEqual(['full-1.xml', 'partial-2.xml']);
  });

  it('reads the newest full dump and its partials again when reasserting, stating everything again', async () => {
    const { sync, source, sent } = await setUp();
    source.put('full', 1, recorded('schedule-full.dump.xml'));
    await sync.sync({ reassert: false });
    const firstPass = sent.length;

    await sync.sync({ reassert: true });
    expect(source.downloads).toEqual(['full-1.xml', 'full-1.xml']);
    expect(sent.length - firstPass).toBe(firstPass);
    expect(sync.lastReassertedAt).not.toBeNull();
  });
});
