import { Module } from '@nestjs/common';
import { AdapterRegistry } from '@medbus/service-auth';
import { BookingClient } from '../booking/booking.client';
import { BookingModule } from '../booking/booking.module';
import { Clock, SystemClock } from './clock.service';
import { ExportRepairService } from './export-repair.service';
import { ExportStateService } from './export-state.service';
import { ExportTablesService } from './export-tables.service';
import { ExportProjection } from './export.consumer';
import { ExportWorker } from './export.poller';
import { FederalRegistryClient } from './federal-registry.client';
import { FederalViewQuery } from './federal-view.query';
import { FederalViewService } from './federal-view.service';

/**
 * The export to the federal registry: the projection that fills the fer_* tables, the federal view
 * over them, the worker that sends it and the federal client. Owns every fer_* table.
 */
@Module({
  imports: [BookingModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: AdapterRegistry, useFactory: (booking: BookingClient) => new AdapterRegistry(booking), inject: [BookingClient] },
    ExportTablesService,
    ExportProjection,
    FederalViewService,
    FederalViewQuery,
    ExportStateService,
    ExportRepairService,
    FederalRegistryClient,
    ExportWorker,
  ],
  exports: [Clock, ExportProjection, ExportWorker, ExportStateService, ExportRepairService, FederalViewService, FederalViewQuery, FederalRegistryClient],
})
export class ExportModule {}
