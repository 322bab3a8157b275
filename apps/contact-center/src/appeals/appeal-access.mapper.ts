import { Role, type Caller } from '@medbus/service-auth';
import { branchFilterOf, readsPhoneNumbers } from '../auth/access.mapper';

/**
 * Which appeals a caller reaches: staff of branches by branch (null: all, the head centre's supervisor);
 * the second line only appeals passed to it and either in its pool or assigned to that doctor,
 * of any branch (the region's duty doctors and experts serve every branch).
 */
export type AppealReach = { readonly kind: 'branch'; readonly branch: string | null } | { readonly kind: 'second-line'; readonly clientId: string; readonly branch: string | null };

export interface AppealPlace {
  readonly branch: string;
  readonly line: 1 | 2;
  readonly assignedTo: string | null;
}

type Who = Pick<Caller, 'clientId' | 'role' | 'branch'>;

/** The reach a request may read: narrowed to the branch asked for, refused (403) for a branch outside it. */
export function appealReachOf(caller: Who, headBranch: string, askedBranch?: string): AppealReach {
  if (caller.role === Role.SECOND_LINE) return { kind: 'second-line', clientId: caller.clientId, branch: askedBranch ?? null };
  return { kind: 'branch', branch: branchFilterOf(caller, headBranch, askedBranch) };
}

export function reaches(reach: AppealReach, appeal: AppealPlace): boolean {
  if (reach.branch !== null && reach.branch !== appeal.branch) return false;
  if (reach.kind === 'branch') return true;
  return appeal.line === 2 && (appeal.assignedTo === null || appeal.assignedTo === reach.clientId);
}

/** Whether the caller reaches an appeal at all (its own reach, no branch asked). */
export function reachesAppeal(caller: Who, headBranch: string, appeal: AppealPlace): boolean {
  return reaches(appealReachOf(caller, headBranch), appeal);
}

/**
 * Whether the caller reads the applicant's number in clear: the operator of the appeal's branch (he calls
 * the applicant back), and the second-line doctor the appeal is assigned to (he takes it from the pool
 * first). Supervisors never: they judge the work from the text, the number stays masked for them.
 */
export function readsApplicantPhone(caller: Who, headBranch: string, appeal: AppealPlace): boolean {
  if (caller.role === Role.SECOND_LINE) return appeal.line === 2 && appeal.assignedTo === caller.clientId;
  return readsPhoneNumbers(caller, headBranch, appeal.branch);
}

/**
 * Whether the caller reads the appeal's text, resolution and notes: everyone who reaches it. The people
 * who work it need them; supervisors need them to judge how it was answered (the contact centre's
 * quality control), which is why they reach appeals at all.
 */
export function readsAppealText(caller: Who, headBranch: string, appeal: AppealPlace): boolean {
  return reachesAppeal(caller, headBranch, appeal);
}
