import { BookingChannel } from '@medbus/contracts';
import { Role } from '@medbus/service-auth';

/** Who a client is (docs/decisions/0015-identities-and-roles.md): the roles of the region's clients, named once in @medbus/service-auth; what each may do is `grants` below. */
export { Role };

export const Permission = {
  searchInventory: 'inventory:read',
  identifyPatients: 'patients:identify',
  readBookings: 'bookings:read',
  writeBookings: 'bookings:write',
  readAudit: 'audit:read',
  /** Check a key presented to a service that fronts other callers: identities live only in booking's database. */
  introspectCredentials: 'credentials:introspect',
  /** Which MIS adapter serves which organisations. */
  readAdapters: 'adapters:read',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** Which records a client reaches: its own, or the region's. */
export type Scope = 'OWN' | 'REGION';

/**
 * Whether a client of the role belongs to a branch of the contact centre: a branch supervisor always,
 * an operator or a second-line expert when he works in one (none: the head centre), nobody else.
 */
export type BranchRule = 'REQUIRED' | 'OPTIONAL' | 'NONE';

interface RoleGrant {
  readonly permissions: readonly Permission[];
  readonly readScope: Scope;
  readonly writeScope: Scope;
  /** The booking channel of every client of the role, when the role fixes it. */
  readonly channel?: BookingChannel;
  readonly branch: BranchRule;
}

const booking: readonly Permission[] = [Permission.searchInventory, Permission.identifyPatients, Permission.readBookings, Permission.writeBookings];
const readingBookings: readonly Permission[] = [Permission.searchInventory, Permission.readBookings];

const grants: Record<Role, RoleGrant> = {
  /** A contact-centre operator, one client per person: acts for any identified patient of the region. */
  OPERATOR: { permissions: booking, readScope: 'REGION', writeScope: 'REGION', channel: BookingChannel.CONTACT_CENTRE, branch: 'OPTIONAL' },
  /** The contact centre's second line (a duty doctor, an expert) appeals are passed to, one client per person: reads, books nothing. */
  SECOND_LINE: { permissions: readingBookings, readScope: 'REGION', writeScope: 'OWN', channel: BookingChannel.CONTACT_CENTRE, branch: 'OPTIONAL' },
  /** The supervisor of one branch of the contact centre (the branch is registered with him): reads, books nothing. */
  BRANCH_SUPERVISOR: { permissions: readingBookings, readScope: 'REGION', writeScope: 'OWN', channel: BookingChannel.CONTACT_CENTRE, branch: 'REQUIRED' },
  /** The supervisor of the head centre, over all its branches: reads, books nothing. */
  HEAD_SUPERVISOR: { permissions: readingBookings, readScope: 'REGION', writeScope: 'OWN', channel: BookingChannel.CONTACT_CENTRE, branch: 'NONE' },
  /** The contact-centre service itself: checks its callers' keys here, books nothing (its operators book with their own keys). */
  CONTACT_CENTRE: {
    permissions: [Permission.introspectCredentials, Permission.readAdapters],
    readScope: 'OWN',
    writeScope: 'OWN',
    channel: BookingChannel.CONTACT_CENTRE,
    branch: 'NONE',
  },
  /** The regional patient portal or an app: acts only for patients it identified, on what it created. */
  PORTAL: { permissions: booking, readScope: 'OWN', writeScope: 'OWN', branch: 'NONE' },
  /** A system speaking the HubService contract through the facade, known by its guid; scoped like a portal. */
  HUB_CLIENT: { permissions: booking, readScope: 'OWN', writeScope: 'OWN', branch: 'NONE' },
  /** A vendor's MIS adapter: publishes for the organisations registered to it; no booking API. */
  MIS_ADAPTER: { permissions: [], readScope: 'OWN', writeScope: 'OWN', branch: 'NONE' },
  /** The federal registry (ФЭР): reads the inventory and books for the federal portal, scoped like a portal. */
  FEDERAL_REGISTRY: {
    permissions: [...booking, Permission.introspectCredentials, Permission.readAdapters],
    readScope: 'OWN',
    writeScope: 'OWN',
    channel: BookingChannel.FEDERAL_PORTAL,
    branch: 'NONE',
  },
  /** Operations staff: read everything, the audit log included; change nothing. */
  OPERATIONS: {
    permissions: [Permission.searchInventory, Permission.readBookings, Permission.readAudit, Permission.readAdapters],
    readScope: 'REGION',
    writeScope: 'OWN',
    branch: 'NONE',
  },
};

/** The authenticated caller of a request: every action is taken, checked and audited in its name. */
export interface Caller {
  readonly clientId: string;
  readonly role: Role;
  /** The channel its bookings come through; never taken from a request. */
  readonly channel: BookingChannel;
}

export function roleGrant(role: Role): RoleGrant {
  return grants[role];
}

export function mayDo(caller: Pick<Caller, 'role'>, permission: Permission): boolean {
  return grants[caller.role].permissions.includes(permission);
}

/** Whether the caller may read (or change) a record created by `ownerClientId`. */
export function reaches(caller: Pick<Caller, 'role' | 'clientId'>, ownerClientId: string, access: 'read' | 'write'): boolean {
  const grant = grants[caller.role];
  const scope = access === 'read' ? grant.readScope : grant.writeScope;
  return scope === 'REGION' || ownerClientId === caller.clientId;
}

/** Whether the caller acts for any identified patient, not only for those it identified itself. */
export function actsForAnyPatient(caller: Pick<Caller, 'role'>, access: 'read' | 'write'): boolean {
  const grant = grants[caller.role];
  return (access === 'read' ? grant.readScope : grant.writeScope) === 'REGION';
}

/** For a query's `client_id` filter: null for a region-wide role (no filter), else the caller's own id. */
export function ownRecordsOf(caller: Pick<Caller, 'role' | 'clientId'>, access: 'read' | 'write'): string | null {
  return actsForAnyPatient(caller, access) ? null : caller.clientId;
}

/** The channel a client of `role` books through: fixed by the role, or chosen when it is registered. */
export function channelOf(role: Role, registered: string | null): BookingChannel {
  const fixed = grants[role].channel;
  if (fixed) return fixed;
  const channels = Object.values(BookingChannel) as string[];
  if (registered && channels.includes(registered)) return registered as BookingChannel;
  // A HubService client is, unless registered otherwise, what HubService's callers usually are: a contact centre.
  if (role === Role.HUB_CLIENT) return BookingChannel.CONTACT_CENTRE;
  return role === Role.PORTAL ? BookingChannel.PORTAL : BookingChannel.OTHER;
}

export const roles = Object.values(Role) as [Role, ...Role[]];

/** A contact-centre branch's id, as the database checks it: a short lower-case name (`sochi`, `novorossiysk`). */
export const branchPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Why a client of `role` may not be registered with `branch` (null: none), or null when it may. */
export function branchProblem(role: Role, branch: string | null): string | null {
  const rule = grants[role].branch;
  if (branch === null) return rule === 'REQUIRED' ? `a ${role} is registered with the branch he supervises (--branch)` : null;
  if (rule === 'NONE') return `a client of role ${role} belongs to no branch of the contact centre`;
  if (!branchPattern.test(branch)) return `a branch must match ${branchPattern}`;
  return null;
}

/** Client ids: lower-case, as the database checks them; an adapter's id (adapterIdPattern) is also its Kafka topics' suffix. */
export const clientIdPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export { adapterIdPattern } from '@medbus/kafka';
