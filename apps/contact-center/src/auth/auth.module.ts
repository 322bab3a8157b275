import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, CredentialsService } from '@medbus/service-auth';
import { BookingClient } from '../booking/booking.client';
import { BookingModule } from '../booking/booking.module';

/** Authenticates every route through booking's introspection (@Public and @Roles declare who may call). */
@Module({
  imports: [BookingModule],
  providers: [
    { provide: CredentialsService, useFactory: (booking: BookingClient) => new CredentialsService(booking), inject: [BookingClient] },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [CredentialsService],
})
export class AuthModule {}
