import { Module } from '@nestjs/common';
import { ExportModule } from '../export/export.module';
import { ReconciliationPoller } from './reconciliation.poller';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation with the federal side, scheduled and on demand; owns fer_reconciliation and its counts. */
@Module({
  imports: [ExportModule],
  providers: [ReconciliationService, ReconciliationPoller],
  exports: [ReconciliationService, ReconciliationPoller],
})
export class ReconciliationModule {}
