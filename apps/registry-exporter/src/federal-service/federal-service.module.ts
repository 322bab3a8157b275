import { Module } from '@nestjs/common';
import { BookingModule } from '../booking/booking.module';
import { FederalViewQuery } from '../export/federal-view.query';
import { FederalServiceController } from './federal-service.controller';
import { FederalService } from './federal-service.service';
import { FederalSlotQuery } from './federal-slot.query';

/**
 * The region's federal service, ErWebService, at /er/v2_0/ErWebService (er-contract.md). Needs the
 * app's TypeORM connection (the exporter's tables) and AuthModule's guard (FEDERAL_REGISTRY callers).
 */
@Module({
  imports: [BookingModule],
  controllers: [FederalServiceController],
  providers: [FederalService, FederalViewQuery, FederalSlotQuery],
})
export class FederalServiceModule {}
