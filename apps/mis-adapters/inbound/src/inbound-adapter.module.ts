import { MisAdapterRuntime, type AdapterHealthReport, type RuntimeDependencies } from '@medbus/mis-adapter-kit';
import { CreateInboundBookingOrders1797000000000 } from './booking-order.migration';
import type { InboundAdapterConfig } from './inbound.config';
import { InboundDialect, type InboundHealth } from './inbound.dialect';

/** The inbound adapter: the dialect of a home-grown MIS that pushes, in the adapter runtime (libs/mis-adapter-kit), with its orders' table. */
export class InboundAdapter {
  private readonly runtime: MisAdapterRuntime<InboundDialect>;

  constructor(config: InboundAdapterConfig, deps: RuntimeDependencies = {}) {
    this.runtime = new MisAdapterRuntime(
      config,
      { create: (_config, context) => new InboundDialect(config, context), migrations: [CreateInboundBookingOrders1797000000000] },
      deps,
    );
  }

  get dialect(): InboundDialect {
    return this.runtime.dialect;
  }

  /** Starts everything; returns the port of the HTTP endpoint (the inbound API, patients, health). */
  start(): Promise<number> {
    return this.runtime.start();
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  health(): AdapterHealthReport & InboundHealth {
    return this.runtime.health();
  }
}
