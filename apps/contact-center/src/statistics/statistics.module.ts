import { Module } from '@nestjs/common';
import { AppealsModule } from '../appeals/appeals.module';
import { CallsModule } from '../calls/calls.module';
import { CallStatisticsQuery } from './call-statistics.query';
import { StatisticsController } from './statistics.controller';
import { StatisticsService } from './statistics.service';

/** Statistics over REST: calls computed in Postgres from the calls and call-back tasks, appeals by the appeals module's query, the queues now from the calls module's LiveQueueService; owns no table. */
@Module({
  imports: [AppealsModule, CallsModule],
  controllers: [StatisticsController],
  providers: [CallStatisticsQuery, StatisticsService],
  exports: [StatisticsService],
})
export class StatisticsModule {}
