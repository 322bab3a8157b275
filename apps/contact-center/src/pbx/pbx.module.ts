import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HealthService } from '../health/health.service';
import { PbxLink } from './pbx-link.service';
import { QueueLogClient } from './queue-log.client';

/** Registers the `pbx` indicator: not critical, the service still serves its data without the PBX. */
@Injectable()
export class PbxHealthIndicator implements OnModuleInit {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(PbxLink) private readonly link: PbxLink,
  ) {}

  onModuleInit(): void {
    this.health.register('pbx', { critical: false, check: () => (this.link.connected ? 'up' : 'down'), details: () => ({ ...this.link.stats }) });
  }
}

/** The link to the PBX: AMI events and Originate (PbxLink), and the queue_log feed for recovery. */
@Module({ providers: [PbxLink, QueueLogClient, PbxHealthIndicator], exports: [PbxLink, QueueLogClient] })
export class PbxModule {}
