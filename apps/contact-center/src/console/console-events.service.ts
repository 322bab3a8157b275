import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AppConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import { Role } from '@medbus/service-auth';
import { branchFilterOf } from '../auth/access.mapper';
import { CallConnections, type CallConnectionEvent } from '../calls/call-connections.service';
import type { ContactCenterConfig } from '../contact-center.config';
import { StatisticsService } from '../statistics/statistics.service';
import { CallCardService } from './call-card.service';
import { SeatCalls } from './seat-calls.service';
import { SessionService, type ConsoleSession } from './session.service';

interface Stream {
  readonly token: string;
  session: ConsoleSession;
  readonly res: ServerResponse;
  readonly timers: NodeJS.Timeout[];
  ticking: boolean;
}

const pingEveryMs = 15_000;
/** The wallboard's roles (GET /v1/statistics/live): a second-line doctor gets no `live` events. */
const liveRoles: readonly string[] = [Role.OPERATOR, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR];

/**
 * The consoles' open event streams (Server-Sent Events): `call` / `call-ended` to the streams whose seat
 * the PBX connected, `live` figures every CC_CONSOLE_LIVE_MS (each tick re-checks the session: expired,
 * signed out or revoked ends the stream), `: ping` every 15 s. Streams end at sign-out and at shutdown.
 */
@Injectable()
export class ConsoleEvents implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConsoleEvents.name);
  private readonly streams = new Set<Stream>();
  private subscription?: Subscription;

  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH' | 'CC_CONSOLE_LIVE_MS'>,
    @Inject(CallConnections) private readonly connections: CallConnections,
    @Inject(SeatCalls) private readonly seats: SeatCalls,
    @Inject(CallCardService) private readonly cards: CallCardService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(StatisticsService) private readonly statistics: StatisticsService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.connections.events.subscribe((event) => this.apply(event));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Open streams end before the HTTP server closes: it would otherwise wait for them. */
  beforeApplicationShutdown(): void {
    for (const stream of [...this.streams]) this.end(stream);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  open(token: string, session: ConsoleSession, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const stream: Stream = { token, session, res, timers: [], ticking: false };
    this.streams.add(stream);
    res.on('close', () => this.end(stream));
    const current = session.seat === null ? undefined : this.seats.current(session.seat);
    if (current) this.send(stream, 'call', this.cards.viewOf(current, session.caller));
    stream.timers.push(setInterval(() => void this.tick(stream), this.config.CC_CONSOLE_LIVE_MS), setInterval(() => this.write(stream, ': ping\n\n'), pingEveryMs));
    for (const timer of stream.timers) timer.unref();
    void this.tick(stream);
  }

  /** Ends the streams of a session (signed out). */
  closeSession(tokenHash: string): void {
    for (const stream of [...this.streams]) if (stream.session.tokenHash === tokenHash) this.end(stream);
  }

  private apply(event: CallConnectionEvent): void {
    try {
      if (event.kind === 'connected') {
        const call = this.seats.connected(event);
        for (const stream of this.streams) if (stream.session.seat === call.seat) this.send(stream, 'call', this.cards.viewOf(call, stream.session.caller));
        return;
      }
      const call = this.seats.ended(event);
      if (!call) return;
      for (const stream of this.streams) if (stream.session.seat === call.seat) this.send(stream, 'call-ended', { uniqueid: call.uniqueid });
    } catch (error) {
      // Never let a console fault reach the PBX event path that fed it.
      this.logger.error(`console push failed: ${error instanceof Error ? error.name : 'unknown'}`);
    }
  }

  private async tick(stream: Stream): Promise<void> {
    if (stream.ticking || !this.streams.has(stream)) return;
    stream.ticking = true;
    try {
      const session = await this.sessions.resolve(stream.token, false);
      if (!session) return this.end(stream);
      stream.session = session;
      if (!liveRoles.includes(session.caller.role)) return;
      const live = await this.statistics.live(branchFilterOf(session.caller, this.config.CC_HEAD_BRANCH, undefined));
      this.send(stream, 'live', live);
    } catch (error) {
      this.logger.warn(`console live push failed: ${error instanceof AppError ? error.code : error instanceof Error ? error.name : 'unknown'}`);
    } finally {
      stream.ticking = false;
    }
  }

  private send(stream: Stream, event: string, data: unknown): void {
    this.write(stream, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(stream: Stream, text: string): void {
    if (this.streams.has(stream) && !stream.res.writableEnded) stream.res.write(text);
  }

  private end(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    for (const timer of stream.timers) clearInterval(timer);
    if (!stream.res.writableEnded) stream.res.end();
  }
}
