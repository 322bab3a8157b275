import { Module } from '@nestjs/common';
import { HoldsController } from '../holds/holds.controller';
import { HoldsService } from '../holds/holds.service';
import { Clock, SystemClock } from '../inventory/clock.service';
import { SlotStatusService } from '../inventory/slot-status.service';
import { ReservationsModule } from '../reservations/reservations.module';
import { WaitlistModule } from '../waitlist/waitlist.module';
import { AppointmentsController } from './appointments.controller';
import { AppointmentsService } from './appointments.service';
import { BookingOutboxRelay } from './booking-outbox.relay';
import { IdempotencyService } from '../idempotency.service';
import { OutcomeProjection } from './outcome.consumer';
import { OutcomeWaiter } from './outcome-waiter.service';
import { OutcomesService } from './outcomes.service';
import { PendingExpiryPoller } from './pending-expiry.poller';

@Module({
  imports: [ReservationsModule, WaitlistModule],
  controllers: [AppointmentsController, HoldsController],
  providers: [AppointmentsService, OutcomesService, OutcomeProjection, OutcomeWaiter, IdempotencyService, HoldsService, SlotStatusService, BookingOutboxRelay, PendingExpiryPoller, { provide: Clock, useClass: SystemClock }],
  exports: [AppointmentsService, HoldsService, OutcomeProjection],
})
export class AppointmentsModule {}
