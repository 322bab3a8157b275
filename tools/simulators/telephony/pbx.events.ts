import type { AmiFields } from './ami.codec';

/** The event class an AMI user filters on (`Privilege: call,all` / `agent,all`). */
export type AmiClass = 'call' | 'agent';

/** An event at its simulated time; the server adds `Privilege` and `Timestamp` when it writes it. */
export interface PbxEvent {
  readonly at: number;
  readonly name: string;
  readonly klass: AmiClass;
  readonly fields: AmiFields;
}

export interface OperatorView {
  readonly queue: string;
  readonly name: string;
  readonly iface: string;
  readonly state: 'free' | 'ringing' | 'talking' | 'wrapup';
  readonly paused: boolean;
  readonly pausedReason: string;
  readonly callsTaken: number;
  /** Simulated ms of the last finished call, 0 when none. */
  readonly lastCall: number;
}

export interface CallView {
  readonly uniqueid: string;
  readonly agentUniqueid: string;
  readonly queue: string;
  readonly number: string;
  readonly callerName: string;
  readonly channel: string;
  readonly agentChannel: string;
}

type Pairs = [string, string][];

const s = (n: number): string => String(n);

function caller(call: CallView, connected: OperatorView | undefined): Pairs {
  return [
    ['Channel', call.channel],
    ['ChannelState', '6'],
    ['ChannelStateDesc', 'Up'],
    ['CallerIDNum', call.number],
    ['CallerIDName', call.callerName === '' ? '<unknown>' : call.callerName],
    ['ConnectedLineNum', connected ? connected.iface.replace(/^PJSIP\//, '') : '<unknown>'],
    ['ConnectedLineName', connected ? connected.name : '<unknown>'],
    ['Language', 'ru'],
    ['AccountCode', ''],
    ['Context', 'from-trunk'],
    ['Exten', call.queue],
    ['Priority', '1'],
    ['Uniqueid', call.uniqueid],
    ['Linkedid', call.uniqueid],
  ];
}

function agentLeg(call: CallView, op: OperatorView): Pairs {
  return [
    ['DestChannel', call.agentChannel],
    ['DestChannelState', '6'],
    ['DestChannelStateDesc', 'Up'],
    ['DestCallerIDNum', call.number],
    ['DestCallerIDName', call.callerName === '' ? '<unknown>' : call.callerName],
    ['DestConnectedLineNum', call.number],
    ['DestConnectedLineName', op.name],
    ['DestLanguage', 'ru'],
    ['DestAccountCode', ''],
    ['DestContext', 'from-queue'],
    ['DestExten', call.queue],
    ['DestPriority', '1'],
    ['DestUniqueid', call.agentUniqueid],
    ['DestLinkedid', call.uniqueid],
  ];
}

const member = (op: OperatorView): Pairs => [
  ['Queue', op.queue],
  ['MemberName', op.name],
  ['Interface', op.iface],
  ['StateInterface', op.iface],
];

/** Asterisk's device status of a member: 1 not in use, 2 in use, 6 ringing. */
const deviceStatus = (op: OperatorView): string => (op.state === 'ringing' ? '6' : op.state === 'talking' ? '2' : '1');

const memberState = (op: OperatorView): Pairs => [
  ['Membership', 'dynamic'],
  ['Penalty', '0'],
  ['CallsTaken', s(op.callsTaken)],
  ['LastCall', s(Math.floor(op.lastCall / 1000))],
  ['LastPause', '0'],
  ['InCall', op.state === 'talking' ? '1' : '0'],
  ['Status', deviceStatus(op)],
  ['Paused', op.paused ? '1' : '0'],
  ['PausedReason', op.pausedReason],
  ['Ringinuse', '0'],
];

const ev = (at: number, name: string, klass: AmiClass, fields: Pairs): PbxEvent => ({ at, name, klass, fields: [['Event', name], ...fields] });

/** The queue events as Asterisk 13+ names them and with the fields it writes. */
export const PbxEvents = {
  queueCallerJoin: (at: number, call: CallView, position: number, count: number): PbxEvent =>
    ev(at, 'QueueCallerJoin', 'agent', [...caller(call, undefined), ['Queue', call.queue], ['Position', s(position)], ['Count', s(count)]]),
  agentCalled: (at: number, call: CallView, op: OperatorView): PbxEvent =>
    ev(at, 'AgentCalled', 'agent', [...caller(call, undefined), ...agentLeg(call, op), ...member(op)]),
  agentRingNoAnswer: (at: number, call: CallView, op: OperatorView, ringSeconds: number): PbxEvent =>
    ev(at, 'AgentRingNoAnswer', 'agent', [...caller(call, undefined), ...agentLeg(call, op), ...member(op), ['RingTime', s(ringSeconds)]]),
  agentConnect: (at: number, call: CallView, op: OperatorView, holdSeconds: number, ringSeconds: number): PbxEvent =>
    ev(at, 'AgentConnect', 'agent', [...caller(call, op), ...agentLeg(call, op), ...member(op), ['HoldTime', s(holdSeconds)], ['RingTime', s(ringSeconds)]]),
  queueCallerLeave: (at: number, call: CallView, position: number, count: number): PbxEvent =>
    ev(at, 'QueueCallerLeave', 'agent', [...caller(call, undefined), ['Queue', call.queue], ['Position', s(position)], ['Count', s(count)]]),
  agentComplete: (at: number, call: CallView, op: OperatorView, holdSeconds: number, talkSeconds: number, reason: 'caller' | 'agent'): PbxEvent =>
    ev(at, 'AgentComplete', 'agent', [...caller(call, op), ...agentLeg(call, op), ...member(op), ['HoldTime', s(holdSeconds)], ['TalkTime', s(talkSeconds)], ['Reason', reason]]),
  queueCallerAbandon: (at: number, call: CallView, position: number, originalPosition: number, holdSeconds: number): PbxEvent =>
    ev(at, 'QueueCallerAbandon', 'agent', [...caller(call, undefined), ['Queue', call.queue], ['Position', s(position)], ['OriginalPosition', s(originalPosition)], ['HoldTime', s(holdSeconds)]]),
  hangup: (at: number, call: CallView, connected: OperatorView | undefined): PbxEvent =>
    ev(at, 'Hangup', 'call', [...caller(call, connected), ['Cause', '16'], ['Cause-txt', 'Normal Clearing']]),
  queueMemberAdded: (at: number, op: OperatorView): PbxEvent => ev(at, 'QueueMemberAdded', 'agent', [...member(op), ...memberState(op)]),
  queueMemberRemoved: (at: number, op: OperatorView): PbxEvent => ev(at, 'QueueMemberRemoved', 'agent', [...member(op), ...memberState(op)]),
  queueMemberPause: (at: number, op: OperatorView): PbxEvent => ev(at, 'QueueMemberPause', 'agent', [...member(op), ...memberState(op)]),
} as const;

/** Members' fields for QueueStatus' `QueueMember` events. */
export function queueMemberStatus(op: OperatorView): Pairs {
  return [['Queue', op.queue], ['Name', op.name], ['Location', op.iface], ['StateInterface', op.iface], ...memberState(op)];
}
