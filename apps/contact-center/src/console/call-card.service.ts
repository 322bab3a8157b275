import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import type { Caller } from '@medbus/service-auth';
import { appealReachOf } from '../appeals/appeal-access.mapper';
import { AppealOrder, AppealsQuery } from '../appeals/appeals.query';
import { branchScopeOf, readsPhoneNumbers } from '../auth/access.mapper';
import { CallbackTasksQuery } from '../callbacks/callback-tasks.query';
import { shownNumber } from '../calls/caller-protection.service';
import { CallsQuery, type EarlierCall } from '../calls/calls.query';
import type { ContactCenterConfig } from '../contact-center.config';
import { UnknownCallError } from './console.errors';
import type { ConsoleSession } from './session.service';
import { SeatCalls, type SeatCall } from './seat-calls.service';

/** The connected call as the console shows it (the `call` push event's data too). */
export interface ConnectedCallView {
  readonly uniqueid: string;
  readonly branch: string;
  readonly queue: string;
  /** In clear for an operator of the call's branch, else masked; null when withheld. */
  readonly callerNumber: string | null;
  readonly connectedAt: string;
}

export interface CallCard {
  readonly call: ConnectedCallView;
  readonly earlierCalls: EarlierCall[];
  readonly callbacks: { id: string; branch: string; status: string; lostCalls: number; createdAt: string }[];
  readonly appeals: { id: string; type: string; status: string; deadline: string; createdAt: string }[];
}

const earlierCallsAtMost = 20;

/** A seat's call with what the contact centre knows of the same caller (by the keyed hash of his number), within the person's reach. */
@Injectable()
export class CallCardService {
  constructor(
    @Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_HEAD_BRANCH'>,
    @Inject(SeatCalls) private readonly seats: SeatCalls,
    @Inject(CallsQuery) private readonly calls: CallsQuery,
    @Inject(CallbackTasksQuery) private readonly tasks: CallbackTasksQuery,
    @Inject(AppealsQuery) private readonly appeals: AppealsQuery,
  ) {}

  viewOf(call: SeatCall, caller: Caller): ConnectedCallView {
    const inClear = readsPhoneNumbers(caller, this.config.CC_HEAD_BRANCH, call.branch);
    return { uniqueid: call.uniqueid, branch: call.branch, queue: call.queue, callerNumber: call.callerNumber === null ? null : shownNumber(call.callerNumber, inClear), connectedAt: call.connectedAt.toISOString() };
  }

  async current(session: ConsoleSession): Promise<CallCard | null> {
    const call = session.seat === null ? undefined : this.seats.current(session.seat);
    return call ? this.cardOf(call, session.caller) : null;
  }

  async card(session: ConsoleSession, uniqueid: string): Promise<CallCard> {
    const call = session.seat === null ? undefined : this.seats.find(session.seat, uniqueid);
    if (!call) throw new UnknownCallError();
    return this.cardOf(call, session.caller);
  }

  private async cardOf(call: SeatCall, caller: Caller): Promise<CallCard> {
    const view = this.viewOf(call, caller);
    if (call.callerHash === null) return { call: view, earlierCalls: [], callbacks: [], appeals: [] };
    const branch = branchScopeOf(caller, this.config.CC_HEAD_BRANCH);
    const [earlier, callbacks, appeals] = await Promise.all([
      this.calls.ofCaller(call.callerHash, branch, earlierCallsAtMost + 1),
      this.tasks.openOfCaller(call.callerHash, branch),
      this.appeals.page({ reach: appealReachOf(caller, this.config.CC_HEAD_BRANCH), open: true, applicantPhoneHash: call.callerHash }, AppealOrder.newest, 50),
    ]);
    return {
      call: view,
      earlierCalls: earlier.filter((c) => c.uniqueid !== call.uniqueid).slice(0, earlierCallsAtMost),
      callbacks,
      appeals: appeals.items.map((a) => ({ id: a.id, type: a.type, status: a.status, deadline: a.deadlineAt, createdAt: a.createdAt })),
    };
  }
}
