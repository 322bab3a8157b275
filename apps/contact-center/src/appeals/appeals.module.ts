import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module';
import { AppealEscalationService } from './appeal-escalation.service';
import { appealProtectionProviders } from './appeal-protection.service';
import { AppealStatisticsQuery } from './appeal-statistics.query';
import { AppealTypesController } from './appeal-types.controller';
import { AppealTypesService } from './appeal-types.service';
import { AppealsController } from './appeals.controller';
import { AppealsQuery } from './appeals.query';
import { AppealsService } from './appeals.service';
import { EscalationPoller } from './escalation.poller';

/**
 * Appeals: types and their regulation, the workflow, escalation and follow-ups; owns `appeal_type`,
 * `appeal`, `appeal_event`, `appeal_number`. BusModule is imported for the OrganisationDirectory it
 * exports (an appeal's district from its organisation); AppealStatisticsQuery is exported for the
 * statistics module, AppealsQuery for the operator console's call card.
 */
@Module({
  imports: [BusModule],
  controllers: [AppealsController, AppealTypesController],
  providers: [
    ...appealProtectionProviders,
    AppealTypesService,
    AppealsService,
    AppealsQuery,
    AppealEscalationService,
    EscalationPoller,
    AppealStatisticsQuery,
  ],
  exports: [AppealStatisticsQuery, AppealTypesService, AppealsQuery],
})
export class AppealsModule {}
