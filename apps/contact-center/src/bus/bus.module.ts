import { Module } from '@nestjs/common';
import { AdapterRegistry } from '@medbus/service-auth';
import { OrganisationDirectory } from '../appeals/organisation-directory.client';
import { BookingClient } from '../booking/booking.client';
import { BookingModule } from '../booking/booking.module';
import { BusConsumerService } from './bus-consumer.service';
import { BusTablesService } from './bus-tables.service';
import { BusProjection } from './bus.consumer';
import { DistrictWarningQuery } from './district-warning.query';
import { DistrictWarningService } from './district-warning.service';
import { HeartbeatPoller } from './heartbeat.poller';
import { OrganisationQuery } from './organisation.query';
import { PatientAppointmentQuery } from './patient-appointment.query';
import { PatientAppointmentsController } from './patient-appointments.controller';
import { PatientTaskQuery } from './patient-task.query';
import { PatientTaskService } from './patient-task.service';
import { PatientTasksController } from './patient-tasks.controller';
import { RegionHealthController } from './region-health.controller';
import { RegionHealthQuery } from './region-health.query';
import { WarningsController } from './warnings.controller';

/**
 * What the contact centre hears on the bus: the projection of organisations, the patients'
 * appointments, tasks to call patients and district warnings, its consumer and the silent-adapter
 * poller. Owns `organisation`, `patient_appointment`, `withdrawn_slot`, `withdrawn_resource`,
 * `patient_task`, `adapter_heartbeat` and `district_warning`; exports the OrganisationDirectory
 * appeals use.
 */
@Module({
  imports: [BookingModule],
  controllers: [PatientAppointmentsController, PatientTasksController, WarningsController, RegionHealthController],
  providers: [
    { provide: AdapterRegistry, useFactory: (booking: BookingClient) => new AdapterRegistry(booking), inject: [BookingClient] },
    BusTablesService,
    PatientTaskService,
    DistrictWarningService,
    BusProjection,
    BusConsumerService,
    HeartbeatPoller,
    PatientAppointmentQuery,
    PatientTaskQuery,
    DistrictWarningQuery,
    OrganisationQuery,
    RegionHealthQuery,
    { provide: OrganisationDirectory, useExisting: OrganisationQuery },
  ],
  exports: [OrganisationDirectory],
})
export class BusModule {}
