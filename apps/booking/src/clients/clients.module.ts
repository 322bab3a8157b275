import { Global, Module } from '@nestjs/common';
import { AuditLog } from '../audit/audit.service';
import { Clock, SystemClock } from '../inventory/clock.service';
import { AdapterRegistry } from './adapter-registry.service';
import { ClientsService } from './clients.service';

/** The client registry, the adapters' organisations and the audit log: every module authenticates, scopes and audits through them. */
@Global()
@Module({
  providers: [ClientsService, AdapterRegistry, AuditLog, { provide: Clock, useClass: SystemClock }],
  exports: [ClientsService, AdapterRegistry, AuditLog],
})
export class ClientsModule {}
