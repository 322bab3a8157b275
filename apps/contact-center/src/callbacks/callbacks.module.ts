import { Module } from '@nestjs/common';
import { CallerCipher, CallerHash } from '../calls/caller-protection.service';
import { PbxModule } from '../pbx/pbx.module';
import { CallbackAttemptsService } from './callback-attempts.service';
import { CallbackTasksQuery } from './callback-tasks.query';
import { CallbacksController } from './callbacks.controller';
import { CallbacksService } from './callbacks.service';
import { DiallerPoller } from './dialler.poller';

/**
 * Call-back tasks from lost calls (CallbacksService.recordCalls, in the calls' transaction), the
 * dialler (Originate through the PBX link), and /v1/callbacks.
 */
@Module({
  imports: [PbxModule],
  controllers: [CallbacksController],
  providers: [CallbacksService, CallbackAttemptsService, CallbackTasksQuery, DiallerPoller, CallerCipher, CallerHash],
  exports: [CallbacksService, CallbackTasksQuery, DiallerPoller],
})
export class CallbacksModule {}
