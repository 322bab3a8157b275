import { MisAdapterRuntime, type AdapterHealthReport, type RuntimeDependencies } from '@medbus/mis-adapter-kit';
import type { HubServiceAdapterConfig } from './hubservice.config';
import type { HubServiceClient } from './hubservice.client';
import { HubServiceDialect, type HubServiceHealth } from './hubservice.dialect';
import type { ScheduleSync } from './schedule-sync.service';

/** The HubService adapter: its dialect in the adapter runtime (libs/mis-adapter-kit). */
export class HubServiceAdapter {
  private readonly runtime: MisAdapterRuntime<HubServiceDialect>;

  constructor(config: HubServiceAdapterConfig, deps: RuntimeDependencies = {}) {
    this.runtime = new MisAdapterRuntime(config, { create: (_config, context) => new HubServiceDialect(config, context) }, deps);
  }

  get client(): HubServiceClient {
    return this.runtime.dialect.client;
  }

  get sync(): ScheduleSync {
    return this.runtime.dialect.schedule;
  }

  /** Starts everything; returns the port of the HTTP endpoint (notifications, patients, health). */
  start(): Promise<number> {
    return this.runtime.start();
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  health(): AdapterHealthReport & HubServiceHealth {
    return this.runtime.health();
  }
}
