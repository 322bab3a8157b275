import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '../inventory/clock.service';
import { ReservationExpiryPoller } from './reservation-expiry.poller';
import { ReservationsService } from './reservations.service';

/** Holds and waitlist offers as one reservation lifecycle; below the waitlist and appointments, importing neither. */
@Module({
  providers: [ReservationsService, ReservationExpiryPoller, { provide: Clock, useClass: SystemClock }],
  exports: [ReservationsService],
})
export class ReservationsModule {}
