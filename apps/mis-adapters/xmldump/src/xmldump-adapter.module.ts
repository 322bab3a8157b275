import { MisAdapterRuntime, type AdapterHealthReport, type RuntimeDependencies } from '@medbus/mis-adapter-kit';
import { CreateXmlDumpLedger1796900000000 } from './dump-ledger.migration';
import type { DumpSync } from './dump-sync.service';
import type { XmlDumpAdapterConfig } from './xmldump.config';
import { XmlDumpDialect, type XmlDumpHealth } from './xmldump.dialect';

/** The XMLDump adapter: its dialect in the adapter runtime (libs/mis-adapter-kit), with its own tables. */
export class XmlDumpAdapter {
  private readonly runtime: MisAdapterRuntime<XmlDumpDialect>;

  constructor(config: XmlDumpAdapterConfig, deps: RuntimeDependencies = {}) {
    this.runtime = new MisAdapterRuntime(config, { create: (_config, context) => new XmlDumpDialect(config, context), migrations: [CreateXmlDumpLedger1796900000000] }, deps);
  }

  get dialect(): XmlDumpDialect {
    return this.runtime.dialect;
  }

  get dumps(): DumpSync {
    return this.runtime.dialect.dumps;
  }

  /** Starts everything; returns the port of the HTTP endpoint (patients, health). */
  start(): Promise<number> {
    return this.runtime.start();
  }

  stop(): Promise<void> {
    return this.runtime.stop();
  }

  /** Asks for a pass now (the poller's next turn). */
  requestSync(): void {
    this.runtime.requestSync();
  }

  health(): AdapterHealthReport & XmlDumpHealth {
    return this.runtime.health();
  }
}
