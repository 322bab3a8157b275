import { Module } from '@nestjs/common';
import { BookingClient } from './booking.client';

/** The booking service's REST API as the exporter's client (needs ConfigModule.forRoot(exporterConfigSchema)). */
@Module({ providers: [BookingClient], exports: [BookingClient] })
export class BookingModule {}
