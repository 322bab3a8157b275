import type { DataSource } from 'typeorm';
import type { DumpIndexEntry, HandledDump } from './dump-index.mapper';

/** How a dump was handled: applied whole, or refused whole with the reader's code. */
export type DumpOutcome = { readonly outcome: 'applied' } | { readonly outcome: 'rejected'; readonly rejection: string };

export interface HandledDumpRecord extends HandledDump {
  readonly name: string;
  readonly generatedAt: Date;
  readonly outcome: DumpOutcome['outcome'];
}

/**
 * What the adapter remembers of the vendor's dumps: which it handled, and the clinic code of each
 * organisation the dumps listed. A dump is recorded only once its publication has completed, with
 * the clinics it listed: a crash before that applies it again, which publishes nothing new.
 */
export abstract class DumpLedger {
  abstract handled(): Promise<HandledDumpRecord[]>;

  /** Clinic code by organisation OID. */
  abstract clinics(): Promise<Map<string, string>>;

  /**
   * Records a handled dump and the clinics it listed (`complete`: all of them, a full dump's); a
   * full dump applied forgets every other: it lists everything, and the vendor no longer lists
   * the dumps before it.
   */
  abstract record(entry: DumpIndexEntry, outcome: DumpOutcome, clinics: ReadonlyMap<string, string>, complete: boolean): Promise<void>;
}

/** The ledger of an adapter without DATABASE_URL: it lasts as long as the process, as its published state does. */
export class MemoryDumpLedger extends DumpLedger {
  private readonly dumps = new Map<number, HandledDumpRecord>();
  private readonly codes = new Map<string, string>();

  async handled(): Promise<HandledDumpRecord[]> {
    return [...this.dumps.values()].sort((a, b) => a.seq - b.seq);
  }

  async clinics(): Promise<Map<string, string>> {
    return new Map(this.codes);
  }

  async record(entry: DumpIndexEntry, outcome: DumpOutcome, clinics: ReadonlyMap<string, string>, complete: boolean): Promise<void> {
    if (entry.kind === 'full' && outcome.outcome === 'applied') this.dumps.clear();
    this.dumps.set(entry.seq, { seq: entry.seq, sha256: entry.sha256, name: entry.name, generatedAt: new Date(entry.generated), outcome: outcome.outcome });
    if (complete) this.codes.clear();
    for (const [oid, code] of clinics) this.codes.set(oid, code);
  }
}

interface DumpRow {
  seq: string;
  name: string;
  sha256: string;
  generated_at: Date;
  outcome: HandledDumpRecord['outcome'];
}

/** The ledger in the adapter's Postgres schema (tables of CreateXmlDumpLedger1796900000000). */
export class PostgresDumpLedger extends DumpLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adapterId: string,
  ) {
    super();
  }

  async handled(): Promise<HandledDumpRecord[]> {
    const rows: DumpRow[] = await this.dataSource.query(
      `SELECT seq, name, sha256, generated_at, outcome FROM xmldump_handled_dump WHERE adapter_id = $1 ORDER BY seq`,
      [this.adapterId],
    );
    return rows.map((r) => ({ seq: Number(r.seq), name: r.name, sha256: r.sha256, generatedAt: new Date(r.generated_at), outcome: r.outcome }));
  }

  async clinics(): Promise<Map<string, string>> {
    const rows: Array<{ organisation_oid: string; clinic_code: string }> = await this.dataSource.query(
      `SELECT organisation_oid, clinic_code FROM xmldump_clinic WHERE adapter_id = $1`,
      [this.adapterId],
    );
    return new Map(rows.map((r) => [r.organisation_oid, r.clinic_code]));
  }

  async record(entry: DumpIndexEntry, outcome: DumpOutcome, clinics: ReadonlyMap<string, string>, complete: boolean): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      if (entry.kind === 'full' && outcome.outcome === 'applied') {
        await tx.query(`DELETE FROM xmldump_handled_dump WHERE adapter_id = $1`, [this.adapterId]);
      }
      await tx.query(
        `INSERT INTO xmldump_handled_dump (adapter_id, seq, name, kind, sha256, generated_at, outcome, rejection)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (adapter_id, seq) DO UPDATE
           SET name = EXCLUDED.name, kind = EXCLUDED.kind, sha256 = EXCLUDED.sha256, generated_at = EXCLUDED.generated_at,
               outcome = EXCLUDED.outcome, rejection = EXCLUDED.rejection, handled_at = now()`,
        [this.adapterId, entry.seq, entry.name, entry.kind, entry.sha256, new Date(entry.generated), outcome.outcome, outcome.outcome === 'rejected' ? outcome.rejection : null],
      );
      if (complete) await tx.query(`DELETE FROM xmldump_clinic WHERE adapter_id = $1`, [this.adapterId]);
      if (clinics.size > 0) {
        await tx.query(
          `INSERT INTO xmldump_clinic (adapter_id, organisation_oid, clinic_code)
           SELECT $1, * FROM unnest($2::text[], $3::text[])
           ON CONFLICT (adapter_id, organisation_oid) DO UPDATE SET clinic_code = EXCLUDED.clinic_code`,
          [this.adapterId, [...clinics.keys()], [...clinics.values()]],
        );
      }
    });
  }
}
