import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Which MIS adapter serves which organisation, as registered with the adapter's identity
 * (auth_adapter_organisation). Read on the projections' hot path, so it is kept in memory and
 * read again on a miss — a newly registered organisation is seen at once — and every 30 s, so a
 * removed registration ends within 30 s.
 */
@Injectable()
export class AdapterRegistry {
  private byOrganisation = new Map<string, string>();
  private loadedAt = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The adapter registered for this organisation, or undefined when none is. */
  async adapterOf(organisationOid: string): Promise<string | undefined> {
    const known = this.byOrganisation.get(organisationOid);
    if (known !== undefined && !this.stale()) return known;
    await this.reload();
    return this.byOrganisation.get(organisationOid);
  }

  /** Every live adapter and the organisations registered to it, read afresh (a short table, read rarely). */
  async list(): Promise<{ adapterId: string; organisations: string[] }[]> {
    const rows: { adapter_id: string; organisations: string[] }[] = await this.dataSource.query(
      `SELECT c.client_id AS adapter_id,
         coalesce(array_agg(a.organisation_oid ORDER BY a.organisation_oid) FILTER (WHERE a.organisation_oid IS NOT NULL), '{}') AS organisations
       FROM auth_client c LEFT JOIN auth_adapter_organisation a ON a.adapter_id = c.client_id
       WHERE c.role = 'MIS_ADAPTER' AND c.revoked_at IS NULL
       GROUP BY c.client_id ORDER BY c.client_id`,
    );
    return rows.map((row) => ({ adapterId: row.adapter_id, organisations: row.organisations }));
  }

  /** Those of the organisations the adapter is not registered for (empty when it serves them all). */
  async notServedBy(adapterId: string, organisationOids: Iterable<string>): Promise<Set<string>> {
    let refused = this.refusedOf(adapterId, organisationOids);
    if (refused.size > 0 || this.stale()) {
      await this.reload();
      refused = this.refusedOf(adapterId, organisationOids);
    }
    return refused;
  }

  private refusedOf(adapterId: string, organisationOids: Iterable<string>): Set<string> {
    const refused = new Set<string>();
    for (const oid of organisationOids) if (this.byOrganisation.get(oid) !== adapterId) refused.add(oid);
    return refused;
  }

  private stale(): boolean {
    return Date.now() - this.loadedAt > 30_000;
  }

  /** A miss always reads the database afresh (an organisation registered a moment ago is served); misses are rare. */
  private async reload(): Promise<void> {
    const rows: { organisation_oid: string; adapter_id: string }[] = await this.dataSource.query(
      `SELECT a.organisation_oid, a.adapter_id FROM auth_adapter_organisation a
       JOIN auth_client c ON c.client_id = a.adapter_id WHERE c.revoked_at IS NULL`,
    );
    this.byOrganisation = new Map(rows.map((row) => [row.organisation_oid, row.adapter_id]));
    this.loadedAt = Date.now();
  }
}
