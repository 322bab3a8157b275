import { Global, Module } from '@nestjs/common';
import { AuditLog } from '../audit/audit.service';
import { Clock, SystemClock } from '../inventory/clock.service';
import { AdapterRegistry } from './adapter-registry.service';
import { AdaptersController } from './adapters.controller';
import { ClientsService } from './clients.service';
import { CredentialsController } from './credentials.controller';

/**
 * The client registry, the adapters' organisations and the audit log: every module authenticates, scopes and audits through them;
 * other services check keys and read the adapters through its two routes.
 */
@Global()
@Module({
  controllers: [CredentialsController, AdaptersController],
  providers: [ClientsService, AdapterRegistry, AuditLog, { provide: Clock, useClass: SystemClock }],
  exports: [ClientsService, AdapterRegistry, AuditLog],
})
export class ClientsModule {}
