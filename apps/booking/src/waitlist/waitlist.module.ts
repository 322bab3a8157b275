import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '../inventory/clock.service';
import { WaitlistController } from './waitlist.controller';
import { WaitlistService } from './waitlist.service';

@Module({
  controllers: [WaitlistController],
  providers: [WaitlistService, { provide: Clock, useClass: SystemClock }],
  exports: [WaitlistService],
})
export class WaitlistModule {}
