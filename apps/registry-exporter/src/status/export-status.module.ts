import { Module } from '@nestjs/common';
import { ExportModule } from '../export/export.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { ExportStatusController } from './export-status.controller';
import { ExportStatusQuery } from './export-status.query';

/** The export's status for operations over REST (authenticated by AuthModule's guard). */
@Module({ imports: [ExportModule, ReconciliationModule], controllers: [ExportStatusController], providers: [ExportStatusQuery] })
export class ExportStatusModule {}
