import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppealTypeInactiveError, AppealTypeNotFoundError } from './appeals.errors';
import { Clock } from '../clock.service';

export interface AppealType {
  readonly code: string;
  readonly name: string;
  /** Calendar days the regulation gives to review an appeal of this type. */
  readonly reviewDays: number;
  /** Hours before the deadline at which an open appeal is escalated. */
  readonly escalateBeforeHours: number;
  readonly active: boolean;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
}

export type AppealRegulation = Pick<AppealType, 'name' | 'reviewDays' | 'escalateBeforeHours' | 'active'>;

interface AppealTypeRow {
  code: string;
  name: string;
  review_days: number;
  escalate_before_hours: number;
  active: boolean;
  updated_at: Date;
  updated_by: string | null;
}

const columns = 'code, name, review_days, escalate_before_hours, active, updated_at, updated_by';

function typeOf(row: AppealTypeRow): AppealType {
  return { code: row.code, name: row.name, reviewDays: row.review_days, escalateBeforeHours: row.escalate_before_hours, active: row.active, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** Appeal types and their regulation; owns `appeal_type`. */
@Injectable()
export class AppealTypesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async list(): Promise<AppealType[]> {
    const rows: AppealTypeRow[] = await this.dataSource.query(`SELECT ${columns} FROM appeal_type ORDER BY code`);
    return rows.map(typeOf);
  }

  async get(code: string): Promise<AppealType> {
    const [row]: AppealTypeRow[] = await this.dataSource.query(`SELECT ${columns} FROM appeal_type WHERE code = $1`, [code]);
    if (!row) throw new AppealTypeNotFoundError(code);
    return typeOf(row);
  }

  /** The regulation a new appeal of this type is registered under, read in the registering transaction. */
  async regulationForRegistration(manager: EntityManager, code: string): Promise<AppealType> {
    const [row]: AppealTypeRow[] = await manager.query(`SELECT ${columns} FROM appeal_type WHERE code = $1 FOR SHARE`, [code]);
    if (!row) throw new AppealTypeNotFoundError(code);
    if (!row.active) throw new AppealTypeInactiveError(code);
    return typeOf(row);
  }

  /**
   * Creates or replaces a type's regulation. Appeals already registered keep the deadline they were
   * given (the regulation in force when they came); the new one applies to appeals registered after.
   */
  async put(code: string, regulation: AppealRegulation, updatedBy: string): Promise<{ type: AppealType; created: boolean }> {
    const [row]: (AppealTypeRow & { created: boolean })[] = await this.dataSource.query(
      `INSERT INTO appeal_type (code, name, review_days, escalate_before_hours, active, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, review_days = EXCLUDED.review_days,
         escalate_before_hours = EXCLUDED.escalate_before_hours, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING ${columns}, (xmax = 0) AS created`,
      [code, regulation.name, regulation.reviewDays, regulation.escalateBeforeHours, regulation.active, this.clock.now(), updatedBy],
    );
    return { type: typeOf(row), created: row.created };
  }
}
