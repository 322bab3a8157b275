import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../clients/access.mapper';

export type AuditOutcome = 'ALLOWED' | 'REFUSED' | 'FAILED';

/** One line of the audit log: ids and codes only — never a secret, never patient data. */
export interface AuditEntry {
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly clientId?: string | null;
  readonly role?: Role | null;
  readonly resourceType?: string;
  readonly resourceId?: string | null;
  readonly details?: Record<string, string | number | boolean | null>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'details'>> {
  readonly auditId: string;
  readonly at: Date;
  readonly details: Record<string, unknown> | null;
}

export interface AuditFilter {
  readonly clientId?: string;
  readonly action?: string;
  readonly resourceId?: string;
  readonly outcome?: AuditOutcome;
  readonly from?: Date;
  readonly to?: Date;
  /** Records older than this audit id (the previous page's last). */
  readonly before?: string;
  readonly limit: number;
}

/**
 * The append-only audit log (audit_event): who read, created, changed or cancelled what, from
 * which client, and every refused authentication. The table refuses UPDATE and DELETE.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger(AuditLog.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Appends an entry; inside `tx` it commits or rolls back with the effect it describes. */
  async record(entry: AuditEntry, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource).query(
      `INSERT INTO audit_event (client_id, role, action, outcome, resource_type, resource_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.clientId ?? null,
        entry.role ?? null,
        entry.action,
        entry.outcome,
        entry.resourceType ?? null,
        entry.resourceId ?? null,
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }

  /** Like {@link record} outside a transaction, for paths that must answer even when the log cannot be written (logged). */
  recordLater(entry: AuditEntry): void {
    this.record(entry).catch((error: unknown) => this.logger.error(`audit entry ${entry.action} not written: ${error instanceof Error ? error.message : 'unknown error'}`));
  }

  async find(filter: AuditFilter): Promise<AuditRecord[]> {
    const rows: {
      audit_id: string;
      at: Date;
      client_id: string | null;
      role: Role | null;
      action: string;
      outcome: AuditOutcome;
      resource_type: string | null;
      resource_id: string | null;
      details: Record<string, unknown> | null;
    }[] = await this.dataSource.query(
      `SELECT audit_id::text, at, client_id, role, action, outcome, resource_type, resource_id, details FROM audit_event
       WHERE ($1::text IS NULL OR client_id = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR resource_id = $3)
         AND ($4::text IS NULL OR outcome = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
         AND ($7::bigint IS NULL OR audit_id < $7)
       ORDER BY audit_id DESC LIMIT $8`,
      [
        filter.clientId ?? null,
        filter.action ?? null,
        filter.resourceId ?? null,
        filter.outcome ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.before ?? null,
        filter.limit,
      ],
    );
    return rows.map((row) => ({
      auditId: row.audit_id,
      at: row.at,
      clientId: row.client_id,
      role: row.role,
      action: row.action,
      outcome: row.outcome,
      resourceType: row.resource_type ?? '',
      resourceId: row.resource_id,
      details: row.details,
    }));
  }
}
