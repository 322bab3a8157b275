import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import type { ContactCenterConfig } from '../contact-center.config';
import { AmiConnection, type AmiMessage } from './ami.client';
import { queueOfBranch, reconnectDelayMs } from './queue-branch.mapper';

type PbxLinkConfig = Pick<
  ContactCenterConfig,
  'CC_AMI_HOST' | 'CC_AMI_PORT' | 'CC_AMI_USERNAME' | 'CC_AMI_SECRET' | 'CC_AMI_RECONNECT_MAX_MS' | 'CC_QUEUE_BRANCHES' | 'CC_ORIGINATE_TIMEOUT_MS' | 'CC_CALLBACK_CALLER_ID'
>;

/** What the calls module does with the link. */
export interface PbxListener {
  /**
   * After each login, before any live event is delivered (those are held meanwhile): recover what
   * was missed while the link was down. Resolves with the number of calls recovered; a rejection
   * drops the connection (the live stream is not trusted without the recovery) and it reconnects.
   */
  connected(): Promise<number>;
  /** A live AMI event, in the order the PBX sent it. */
  event(message: AmiMessage): void;
}

export const OriginateOutcome = {
  answered: 'ANSWERED',
  noAnswer: 'NO_ANSWER',
  busy: 'BUSY',
  congested: 'CONGESTED',
  noSuchNumber: 'NO_SUCH_NUMBER',
  failed: 'FAILED',
} as const;
export type OriginateOutcome = (typeof OriginateOutcome)[keyof typeof OriginateOutcome];

/** OriginateResponse `Reason` (telephony.md) → outcome; any other reason is a failure. */
const reasons: Readonly<Record<string, OriginateOutcome>> = { '4': 'ANSWERED', '1': 'NO_ANSWER', '5': 'BUSY', '8': 'CONGESTED', '0': 'NO_SUCH_NUMBER' };

export function originateOutcomeOf(message: AmiMessage): OriginateOutcome {
  if (message.response === 'Success' && message.reason === undefined) return OriginateOutcome.answered;
  return reasons[message.reason ?? ''] ?? OriginateOutcome.failed;
}

export interface OriginateResult {
  readonly outcome: OriginateOutcome;
  /** PBX time of the OriginateResponse, or the service's time when none came. */
  readonly at: Date;
  readonly uniqueid: string | null;
}

export interface PbxLinkStats {
  connected: boolean;
  connections: number;
  reconnects: number;
  /** PBX time of the last event received. */
  lastEventAt: string | null;
  /** Calls recovered from the queue_log, over all reconnections, and at the last one. */
  backfilled: number;
  lastBackfilled: number | null;
  originates: number;
}

/**
 * The AMI link to the PBX: connects, logs in, lets the listener recover what it missed, then delivers
 * live events; on a drop it reconnects with exponential backoff and jitter (CC_AMI_RECONNECT_MAX_MS)
 * and recovers again. Places call-backs with Originate. Logs message types and counts only: an AMI
 * message carries callers' numbers.
 */
@Injectable()
export class PbxLink implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PbxLink.name);
  private connection?: AmiConnection;
  private listener?: PbxListener;
  private held: AmiMessage[] | undefined;
  private stopped = true;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private readonly originates = new Map<string, (result: OriginateResult) => void>();
  readonly stats: PbxLinkStats = { connected: false, connections: 0, reconnects: 0, lastEventAt: null, backfilled: 0, lastBackfilled: null, originates: 0 };

  constructor(@Inject(AppConfig) private readonly config: PbxLinkConfig) {}

  /** Starts connecting; events go to `listener` (the calls module). */
  start(listener: PbxListener): void {
    this.listener = listener;
    this.stopped = false;
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.connection?.close();
    this.connection = undefined;
    for (const [id, resolve] of this.originates) {
      this.originates.delete(id);
      resolve({ outcome: OriginateOutcome.failed, at: new Date(), uniqueid: null });
    }
  }

  /** Drops the connection now (it reconnects as after any drop). */
  drop(): void {
    this.connection?.close();
  }

  get connected(): boolean {
    return this.stats.connected;
  }

  /**
   * Calls `number` and puts the answered call through to the branch's queue; resolves with the
   * OriginateResponse's outcome (FAILED without a link, on refusal, or after CC_ORIGINATE_TIMEOUT_MS).
   */
  async originate(number: string, call: { readonly branch: string; readonly taskId: string; readonly attemptId: string }): Promise<OriginateResult> {
    this.stats.originates++;
    const connection = this.connection;
    const failed = (): OriginateResult => ({ outcome: OriginateOutcome.failed, at: new Date(), uniqueid: null });
    if (!connection || !this.stats.connected) return failed();
    const outcome = new Promise<OriginateResult>((resolve) => {
      const timer = setTimeout(() => settle(failed()), this.config.CC_ORIGINATE_TIMEOUT_MS);
      const settle = (result: OriginateResult) => {
        clearTimeout(timer);
        this.originates.delete(call.attemptId);
        resolve(result);
      };
      this.originates.set(call.attemptId, settle);
    });
    try {
      await connection.action({
        action: 'Originate',
        actionid: call.attemptId,
        channel: `Local/${number}@outbound`,
        context: 'callback',
        exten: queueOfBranch(call.branch, this.config.CC_QUEUE_BRANCHES),
        priority: 1,
        async: 'true',
        timeout: 30_000,
        callerid: this.config.CC_CALLBACK_CALLER_ID,
        variable: { CC_ATTEMPT: call.attemptId },
      });
    } catch {
      this.logger.warn('Originate refused by the PBX');
      this.originates.get(call.attemptId)?.(failed());
    }
    return outcome;
  }

  /** The PBX's clock now (Ping's Timestamp), or undefined without a link or an answer. */
  async pbxTime(): Promise<Date | undefined> {
    const response = await this.connection?.action({ action: 'Ping' }).catch(() => undefined);
    const seconds = Number(response?.timestamp);
    return response?.timestamp !== undefined && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
  }

  /** Asks for QueueStatus: its QueueMember and QueueEntry events follow on the event stream. */
  async requestQueueStatus(): Promise<void> {
    await this.connection?.action({ action: 'QueueStatus' }).catch(() => this.logger.warn('QueueStatus refused by the PBX'));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), delayMs);
    this.timer.unref();
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.listener) return;
    const listener = this.listener;
    this.held = [];
    let connection: AmiConnection;
    try {
      connection = await AmiConnection.open(
        { host: this.config.CC_AMI_HOST, port: this.config.CC_AMI_PORT, username: this.config.CC_AMI_USERNAME, secret: this.config.CC_AMI_SECRET },
        { event: (message) => this.onEvent(message), closed: () => this.onClosed(connection) },
      );
    } catch (error) {
      this.retry(`AMI connection failed (${(error as Error).message})`);
      return;
    }
    if (this.stopped) return connection.close();
    this.connection = connection;
    this.stats.connected = true;
    this.stats.connections++;
    try {
      const recovered = await listener.connected();
      this.stats.backfilled += recovered;
      this.stats.lastBackfilled = recovered;
    } catch (error) {
      this.logger.warn(`recovery after connecting failed (${(error as { code?: string }).code ?? (error as Error).name}); dropping the AMI link to try again`);
      connection.close();
      return;
    }
    if (this.connection !== connection) return;
    const held = this.held ?? [];
    this.held = undefined;
    this.attempt = 0;
    this.logger.log(`AMI link up after ${this.stats.connections} connection(s); ${held.length} event(s) held during recovery`);
    for (const message of held) listener.event(message);
  }

  private onEvent(message: AmiMessage): void {
    if (message.timestamp !== undefined) {
      const seconds = Number(message.timestamp);
      if (Number.isFinite(seconds)) this.stats.lastEventAt = new Date(seconds * 1000).toISOString();
    }
    if (message.event === 'OriginateResponse') {
      const settle = this.originates.get(message.actionid ?? '');
      const seconds = Number(message.timestamp);
      settle?.({ outcome: originateOutcomeOf(message), at: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(), uniqueid: message.uniqueid ?? null });
      return;
    }
    if (this.held) this.held.push(message);
    else this.listener?.event(message);
  }

  private onClosed(connection: AmiConnection | undefined): void {
    if (connection !== undefined && this.connection !== connection) return;
    this.connection = undefined;
    this.held = undefined;
    if (!this.stats.connected) return;
    this.stats.connected = false;
    this.retry('AMI link lost');
  }

  private retry(why: string): void {
    if (this.stopped) return;
    const delay = reconnectDelayMs(this.attempt++, this.config.CC_AMI_RECONNECT_MAX_MS);
    this.stats.reconnects++;
    this.logger.warn(`${why}; reconnecting in ${delay} ms`);
    this.schedule(delay);
  }
}
