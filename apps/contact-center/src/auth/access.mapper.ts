import { Role, type Caller } from '@medbus/service-auth';
import { ForbiddenError } from '@medbus/errors';

/** The contact centre's people, by the roles booking's registry gives them (docs/decisions/0015, addendum of issue 11). */
export const staffRoles = [Role.OPERATOR, Role.SECOND_LINE, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR] as const;
export const supervisorRoles = [Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR] as const;

/**
 * Which branches a caller reaches: null for all (the head centre's supervisor), else one branch. An
 * operator or second-line doctor without a branch belongs to the head centre (`headBranch`). A branch
 * supervisor always has a branch (booking refuses one without).
 */
export function branchScopeOf(caller: Pick<Caller, 'role' | 'branch'>, headBranch: string): string | null {
  switch (caller.role) {
    case Role.HEAD_SUPERVISOR:
      return null;
    case Role.BRANCH_SUPERVISOR:
      if (!caller.branch) throw new ForbiddenError('AUTH.FORBIDDEN', 'a branch supervisor without a branch reaches nothing');
      return caller.branch;
    default:
      return caller.branch ?? headBranch;
  }
}

/**
 * The branch a request may read: the one asked for if the caller reaches it (a branch outside its
 * reach is refused, never silently narrowed), else the caller's whole reach (null: all branches).
 */
export function branchFilterOf(caller: Pick<Caller, 'role' | 'branch'>, headBranch: string, asked: string | undefined): string | null {
  const reach = branchScopeOf(caller, headBranch);
  if (asked === undefined) return reach;
  if (reach !== null && asked !== reach) {
    throw new ForbiddenError('CC.BRANCH_FORBIDDEN', 'this branch is outside the caller’s reach', { details: { branch: asked } });
  }
  return asked;
}

/**
 * Whether the caller reads callers' phone numbers in clear: only an operator, only for his own
 * branch's calls and call-back tasks (he calls them back). Everyone else sees them masked.
 */
export function readsPhoneNumbers(caller: Pick<Caller, 'role' | 'branch'>, headBranch: string, recordBranch: string): boolean {
  return caller.role === Role.OPERATOR && (caller.branch ?? headBranch) === recordBranch;
}
