import { Module } from '@nestjs/common';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { PbxModule } from '../pbx/pbx.module';
import { CallConnections } from './call-connections.service';
import { CallIngestService } from './call-ingest.service';
import { CallerCipher, CallerHash } from './caller-protection.service';
import { CallsController } from './calls.controller';
import { CallsQuery } from './calls.query';
import { CallsService } from './calls.service';
import { LiveQueueService } from './live-queue.service';

/**
 * Calls from the PBX: ingestion (CallIngestService, started at bootstrap), the `call` table
 * (CallsService), the live queues (LiveQueueService, for the statistics), who is connected to which
 * seat (CallConnections, for the operator console) and GET /v1/calls.
 */
@Module({
  imports: [PbxModule, CallbacksModule],
  controllers: [CallsController],
  providers: [CallsService, CallIngestService, CallsQuery, LiveQueueService, CallConnections, CallerCipher, CallerHash],
  exports: [CallsService, CallIngestService, CallsQuery, LiveQueueService, CallConnections, CallerCipher, CallerHash],
})
export class CallsModule {}
