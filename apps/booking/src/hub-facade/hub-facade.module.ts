import { Module } from '@nestjs/common';
import { AppointmentsModule } from '../appointments/appointments.module';
import { Clock, SystemClock } from '../inventory/clock.service';
import { PatientsModule } from '../patients/patients.module';
import { WaitlistModule } from '../waitlist/waitlist.module';
import { HubBookingService } from './hub-booking.service';
import { HubFacadeController } from './hub-facade.controller';
import { HubFacadeQuery } from './hub-facade.query';
import { HubFacadeService } from './hub-facade.service';

/** The HubService SOAP facade at /Hub25/HubService.svc; needs CreateHubFacadeTables in the migrations. */
@Module({
  imports: [PatientsModule, AppointmentsModule, WaitlistModule],
  controllers: [HubFacadeController],
  providers: [HubFacadeService, HubBookingService, HubFacadeQuery, { provide: Clock, useClass: SystemClock }],
  exports: [HubFacadeService],
})
export class HubFacadeModule {}
