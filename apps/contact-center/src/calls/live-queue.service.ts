import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import type { ContactCenterConfig } from '../contact-center.config';
import type { AmiMessage } from '../pbx/ami.client';
import { branchOfQueue } from '../pbx/queue-branch.mapper';
import { pbxTimeOf } from './ami-call.mapper';
import { seatOf } from './call-connections.service';

/** One branch now, as a supervisor's wallboard shows it. */
export interface LiveBranchFigures {
  readonly branch: string;
  /** Callers waiting in the branch's queues now. */
  readonly waiting: number;
  /** The longest of their waits so far, in seconds (0 when none waits). */
  readonly longestWaitSeconds: number;
  readonly operators: {
    /** Logged in to a queue of the branch (an operator in two queues counts once). */
    readonly loggedIn: number;
    readonly paused: number;
    /** In a conversation. */
    readonly talking: number;
    /** Logged in, not paused, not talking. */
    readonly available: number;
  };
}

interface Member {
  queue: string;
  /** The PBX interface of the member's phone (`PJSIP/sochi-op01`), when the event named it. */
  seat?: string;
  paused: boolean;
  talking: boolean;
}

/**
 * The PBX as it is now, from the live AMI stream (queue members logging in, pausing, taking calls;
 * callers joining and leaving queues), re-seeded by QueueStatus after every reconnection. In memory
 * only: the statistics module reads it for the live wallboard with `figures()`.
 */
@Injectable()
export class LiveQueueService {
  private readonly waiting = new Map<string, { branch: string; joinedAt: number }>();
  private readonly members = new Map<string, Member>();
  /** The PBX's clock at the last event, and this process's at the same moment. */
  private pbxAt = 0;
  private localAt = 0;

  constructor(@Inject(AppConfig) private readonly config: Pick<ContactCenterConfig, 'CC_QUEUE_BRANCHES'>) {}

  /** Per branch with anything to show (a waiting caller or a logged-in operator), sorted by branch; or only `branch`. */
  figures(branch?: string | null): LiveBranchFigures[] {
    const now = this.pbxNow();
    const byBranch = new Map<string, { waiting: number; longest: number; operators: Map<string, Member> }>();
    const of = (name: string) => {
      let entry = byBranch.get(name);
      if (!entry) byBranch.set(name, (entry = { waiting: 0, longest: 0, operators: new Map() }));
      return entry;
    };
    for (const call of this.waiting.values()) {
      const entry = of(call.branch);
      entry.waiting++;
      entry.longest = Math.max(entry.longest, Math.max(0, Math.round((now - call.joinedAt) / 1000)));
    }
    for (const [key, member] of this.members) {
      const operators = of(this.branchOf(member.queue)).operators;
      const name = key.slice(key.indexOf('\n') + 1);
      const known = operators.get(name);
      // In several queues of one branch: paused only if paused everywhere, talking if talking anywhere.
      operators.set(name, known ? { ...known, paused: known.paused && member.paused, talking: known.talking || member.talking } : member);
    }
    if (branch) of(branch);
    return [...byBranch.entries()]
      .filter(([name]) => !branch || name === branch)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entry]) => {
        const operators = [...entry.operators.values()];
        const paused = operators.filter((m) => m.paused).length;
        const talking = operators.filter((m) => m.talking).length;
        return {
          branch: name,
          waiting: entry.waiting,
          longestWaitSeconds: entry.longest,
          operators: { loggedIn: operators.length, paused, talking, available: operators.filter((m) => !m.paused && !m.talking).length },
        };
      });
  }

  /** The branches of the queues the PBX interface `seat` is a member of now (none: unknown to the live state). */
  branchesOfSeat(seat: string): string[] {
    const branches = new Set<string>();
    for (const member of this.members.values()) if (member.seat === seat) branches.add(this.branchOf(member.queue));
    return [...branches];
  }

  /** Forgets everything (the link dropped: QueueStatus re-seeds it). */
  reset(): void {
    this.waiting.clear();
    this.members.clear();
  }

  apply(message: AmiMessage): void {
    const at = pbxTimeOf(message);
    if (at) {
      this.pbxAt = at.getTime();
      this.localAt = Date.now();
    }
    const queue = message.queue ?? '';
    const uniqueid = message.uniqueid ?? '';
    switch (message.event) {
      case 'QueueCallerJoin':
        this.waiting.set(uniqueid, { branch: this.branchOf(queue), joinedAt: at?.getTime() ?? this.pbxNow() });
        return;
      case 'QueueEntry':
        this.waiting.set(uniqueid, { branch: this.branchOf(queue), joinedAt: this.pbxNow() - Number(message.wait ?? '0') * 1000 });
        return;
      case 'QueueCallerLeave':
      case 'QueueCallerAbandon':
        this.waiting.delete(uniqueid);
        return;
      case 'QueueMemberAdded':
      case 'QueueMemberPause':
      case 'QueueMember':
        this.members.set(this.memberKey(message), { queue, seat: seatOf(message), paused: message.paused === '1', talking: message.incall === '1' });
        return;
      case 'QueueMemberRemoved':
        this.members.delete(this.memberKey(message));
        return;
      case 'AgentConnect':
      case 'AgentComplete': {
        this.waiting.delete(uniqueid);
        const member = this.members.get(this.memberKey(message));
        if (member) member.talking = message.event === 'AgentConnect';
        return;
      }
      default:
        return;
    }
  }

  private memberKey(message: AmiMessage): string {
    return `${message.queue ?? ''}\n${message.membername ?? message.name ?? message.interface ?? ''}`;
  }

  private branchOf(queue: string): string {
    return branchOfQueue(queue, this.config.CC_QUEUE_BRANCHES);
  }

  /** The PBX's time now, reckoned from its last event. */
  private pbxNow(): number {
    return this.pbxAt === 0 ? Date.now() : this.pbxAt + (Date.now() - this.localAt);
  }
}
