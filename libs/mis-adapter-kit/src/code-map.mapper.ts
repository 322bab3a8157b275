import { z } from 'zod';
import type { NsiCoding } from '@medbus/contracts';

/** NSI dictionaries adapters map vendor codes to. */
export const NsiDictionary = {
  specialty: '1.2.643.5.1.13.13.11.1066',
  position: '1.2.643.5.1.13.13.11.1002',
} as const;

/**
 * A problem in a vendor's data that the adapter published around rather than dropping. Never
 * holds patient data: codes, ids of organisations, resources and slots only.
 */
export interface DataQualityIssue {
  readonly kind: 'unmapped_code' | 'missing_field' | 'invalid_value' | 'out_of_scope';
  /** The entity concerned, e.g. `resource 1.2.643...:17`. */
  readonly entity: string;
  readonly dictionary?: string;
  readonly misCode?: string;
  readonly field?: string;
}

/** vendor code → NSI code, per NSI dictionary OID. */
export const codeMapSchema = z.record(z.string(), z.record(z.string(), z.string().min(1)));
export type CodeTables = z.output<typeof codeMapSchema>;

export interface Coded {
  readonly coding: NsiCoding;
  readonly issue?: DataQualityIssue;
}

/**
 * Maps vendor codes to NSI codes. The table wins over the vendor's own hint (e.g. HubService
 * FerIdSpesiality), since operations correct vendors through the table; with neither, the
 * coding carries nsiCode null and an `unmapped_code` issue, and is published all the same.
 */
export class CodeMap {
  constructor(private readonly tables: CodeTables = {}) {}

  static parse(json: unknown): CodeMap {
    return new CodeMap(codeMapSchema.parse(json));
  }

  code(dictionary: string, misCode: string, misName: string, entity: string, vendorHint?: string | null): Coded {
    const nsiCode = this.tables[dictionary]?.[misCode] ?? (vendorHint?.trim() ? vendorHint.trim() : null);
    const coding: NsiCoding = { nsiCode, misCode, misName };
    return nsiCode === null ? { coding, issue: { kind: 'unmapped_code', entity, dictionary, misCode } } : { coding };
  }
}

export interface IssueLogger {
  warn(message: string, ...params: unknown[]): void;
}

/** Counts data-quality issues by kind and logs each distinct one once. */
export class DataQualityReport {
  private readonly counts = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(private readonly logger?: IssueLogger) {}

  record(issues: readonly DataQualityIssue[]): void {
    for (const issue of issues) {
      this.counts.set(issue.kind, (this.counts.get(issue.kind) ?? 0) + 1);
      const key = JSON.stringify(issue);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.logger?.warn('data quality issue', issue);
    }
  }

  count(kind?: DataQualityIssue['kind']): number {
    if (kind) return this.counts.get(kind) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }
}
