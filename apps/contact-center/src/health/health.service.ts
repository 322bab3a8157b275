import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export type Check = 'up' | 'down';

/** A part of the service that says whether it works: the AMI link, the bus consumer, a poller. */
export interface HealthIndicator {
  /** Whether the service is not ready while this is down. */
  readonly critical: boolean;
  check(): Promise<Check> | Check;
  /** Figures reported beside the check (counts, last times); never patient data. */
  details?(): Record<string, unknown>;
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: Readonly<Record<string, Check>>;
  readonly details: Readonly<Record<string, Record<string, unknown>>>;
}

/** Readiness of the contact centre: its database and every part that registered itself. */
@Injectable()
export class HealthService {
  private readonly indicators = new Map<string, HealthIndicator>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  register(name: string, indicator: HealthIndicator): void {
    this.indicators.set(name, indicator);
  }

  async readiness(): Promise<Readiness> {
    const database = await this.dataSource.query('SELECT 1').then(
      (): Check => 'up',
      (): Check => 'down',
    );
    const checks: Record<string, Check> = { database };
    const details: Record<string, Record<string, unknown>> = {};
    let ready = database === 'up';
    for (const [name, indicator] of this.indicators) {
      const state = await Promise.resolve(indicator.check()).catch((): Check => 'down');
      checks[name] = state;
      if (indicator.details) details[name] = indicator.details();
      if (state === 'down' && indicator.critical) ready = false;
    }
    return { status: ready ? 'ready' : 'not_ready', checks, details };
  }
}
