import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** The audit log's API for operations (@Audited routes bind their interceptor themselves). */
@Module({ controllers: [AuditController] })
export class AuditModule {}
