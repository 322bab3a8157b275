import { Inject, Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { AppConfig } from '@medbus/config';
import type { ContactCenterConfig } from '../contact-center.config';
import type { AmiMessage } from '../pbx/ami.client';
import { branchOfQueue } from '../pbx/queue-branch.mapper';
import { callerNumberOf, pbxTimeOf } from './ami-call.mapper';
import { CallerHash } from './caller-protection.service';

/** The PBX put a caller through to an operator's phone (AgentConnect). */
export interface CallConnected {
  readonly kind: 'connected';
  readonly uniqueid: string;
  readonly queue: string;
  readonly branch: string;
  /** The operator's PBX interface (`PJSIP/sochi-op01`): the console's seat. */
  readonly seat: string;
  /** As the PBX sent it; held in memory only, never logged. Null when withheld. */
  readonly callerNumber: string | null;
  /** The keyed hash the `call` table keeps (CallerHash): his earlier calls, tasks and appeals. */
  readonly callerHash: string | null;
  readonly connectedAt: Date;
}

/** A connected call is over: AgentComplete on the seat, or the caller hung up or abandoned (seat unknown). */
export interface CallDisconnected {
  readonly kind: 'ended';
  readonly uniqueid: string;
  readonly seat: string | null;
}

export type CallConnectionEvent = CallConnected | CallDisconnected;

/**
 * Who is talking to whom, as the AMI events arrive (fed by CallIngestService): the operator console
 * opens a call card on the seat the PBX connected. Nothing is kept here; subscribers keep what they need.
 */
@Injectable()
export class CallConnections {
  private readonly subject = new Subject<CallConnectionEvent>();
  readonly events: Observable<CallConnectionEvent> = this.subject.asObservable();

  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_QUEUE_BRANCHES'>,
    @Inject(CallerHash) private readonly hash: CallerHash,
  ) {}

  apply(message: AmiMessage): void {
    const uniqueid = message.uniqueid;
    if (!uniqueid) return;
    switch (message.event) {
      case 'AgentConnect': {
        const seat = seatOf(message);
        if (!seat) return;
        const queue = message.queue ?? '';
        const callerNumber = callerNumberOf(message.calleridnum);
        this.subject.next({
          kind: 'connected',
          uniqueid,
          queue,
          branch: branchOfQueue(queue, this.config.CC_QUEUE_BRANCHES),
          seat,
          callerNumber,
          callerHash: callerNumber === null ? null : (this.hash.of(callerNumber) ?? null),
          connectedAt: pbxTimeOf(message) ?? new Date(),
        });
        return;
      }
      case 'AgentComplete':
        this.subject.next({ kind: 'ended', uniqueid, seat: seatOf(message) ?? null });
        return;
      case 'QueueCallerAbandon':
      case 'Hangup':
        this.subject.next({ kind: 'ended', uniqueid, seat: null });
        return;
      default:
        return;
    }
  }
}

/** The member's interface as Asterisk names it in queue events (`Interface`, in QueueStatus `Location`). */
export function seatOf(message: AmiMessage): string | undefined {
  return message.interface ?? message.location ?? message.stateinterface;
}
