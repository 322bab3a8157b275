import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppealEventCode } from './appeal-workflow.mapper';
import { escalationDueSql, openAppealSql, overdueSql } from './appeal.entity';

export interface EscalationPass {
  readonly escalated: number;
  readonly overdue: number;
}

/**
 * Marks open appeals whose escalation time has come as escalated, and those past their deadline as
 * overdue, each once (the marks are set only where unset, so instances polling together mark a row
 * once), with an `appeal_event` for each mark.
 */
@Injectable()
export class AppealEscalationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async pass(now: Date): Promise<EscalationPass> {
    return this.dataSource.transaction(async (tx) => {
      const mark = async (column: 'escalated_at' | 'overdue_at', due: string, code: AppealEventCode): Promise<number> => {
        const marked: unknown[] = await tx.query(
          `WITH marked AS (
             UPDATE appeal a SET ${column} = $1 WHERE a.${column} IS NULL AND ${due}
             RETURNING a.id, a.status, a.line, a.assigned_to)
           INSERT INTO appeal_event (appeal_id, at, actor, code, from_status, to_status, line, assigned_to)
           SELECT id, $1, 'system', $2, status, status, line, assigned_to FROM marked
           RETURNING appeal_id`,
          [now, code],
        );
        return marked.length;
      };
      // An appeal found only after its deadline is escalated and then flagged overdue, in that order.
      const escalated = await mark('escalated_at', escalationDueSql('$1::timestamptz'), AppealEventCode.ESCALATED);
      const overdue = await mark('overdue_at', `${openAppealSql} AND ${overdueSql('$1::timestamptz')}`, AppealEventCode.OVERDUE);
      return { escalated, overdue };
    });
  }
}
