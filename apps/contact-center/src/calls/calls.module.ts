import { Module } from '@nestjs/common';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { PbxModule } from '../pbx/pbx.module';
import { CallIngestService } from './call-ingest.service';
import { CallerCipher, CallerHash } from './caller-protection.service';
import { CallsController } from './calls.controller';
import { CallsQuery } from './calls.query';
import { CallsService } from './calls.service';
import { LiveQueueService } from './live-queue.service';

/**
 * Calls from the PBX: ingestion (CallIngestService, started at bootstrap), the `call` table
 * (CallsService), the live queues (LiveQueueService, for the statistics) and GET /v1/calls.
 */
@Module({
  imports: [PbxModule, CallbacksModule],
  controllers: [CallsController],
  providers: [CallsService, CallIngestService, CallsQuery, LiveQueueService, CallerCipher, CallerHash],
  exports: [CallsService, CallIngestService, LiveQueueService, CallerCipher, CallerHash],
})
export class CallsModule {}
