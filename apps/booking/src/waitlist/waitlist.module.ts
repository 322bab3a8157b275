import { Module } from '@nestjs/common';
import { DataCipher } from '../data-cipher.service';
import { Clock, SystemClock } from '../inventory/clock.service';
import { ReservationsModule } from '../reservations/reservations.module';
import { WaitlistController } from './waitlist.controller';
import { WaitlistService } from './waitlist.service';

@Module({
  imports: [ReservationsModule],
  controllers: [WaitlistController],
  providers: [WaitlistService, DataCipher, { provide: Clock, useClass: SystemClock }],
  exports: [WaitlistService],
})
export class WaitlistModule {}
