import { MisAdapterRuntime, type AdapterHealthReport, type RuntimeDependencies } from '@medbus/mis-adapter-kit';
import type { MedRestAdapterConfig } from './medrest.config';
import { MedRestDialect, type MedRestHealth } from './medrest.dialect';

/** The MedREST adapter: its dialect in the adapter runtime (libs/mis-adapter-kit). */
export class MedRestAdapter {
  private readonly runtime: MisAdapterRuntime<MedRestDialect>;

  constructor(config: MedRestAdapterConfig, deps: RuntimeDependencies = {}) {
    this.runtime = new MisAdapterRuntime(config, { create: (_config, context) => new MedRestDialect(config, context) }, deps);
  }

  get dialect(): MedRestDialect {
    return this.runtime.dialect;
  }

  /** Starts everything; returns the port of the HTTP endpoint (webhooks, patients, health). */
  start(): Promise<number> {
    return this.runtime.start();
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  /** Asks for a full pass now (the poller's next turn). */
  requestSync(): void {
    this.runtime.requestSync();
  }

  health(): AdapterHealthReport & MedRestHealth {
    return this.runtime.health();
  }
}
