import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contact centre's identities (issue 11, decision record 0015's addendum): its second line, its
 * supervisors and the service itself are roles, and a client may belong to a branch of the centre.
 * A branch supervisor has one; only operators and the second line may have one besides.
 */
export class ContactCentreRoles1796500000000 implements MigrationInterface {
  name = 'ContactCentreRoles1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE auth_client DROP CONSTRAINT auth_client_role_check`);
    await runner.query(`
      ALTER TABLE auth_client ADD CONSTRAINT auth_client_role_check CHECK (role IN (
        'OPERATOR', 'SECOND_LINE', 'BRANCH_SUPERVISOR', 'HEAD_SUPERVISOR', 'CONTACT_CENTRE',
        'PORTAL', 'HUB_CLIENT', 'MIS_ADAPTER', 'FEDERAL_REGISTRY', 'OPERATIONS'))`);
    await runner.query(`ALTER TABLE auth_client ADD COLUMN branch text COLLATE "C" CHECK (branch ~ '^[a-z0-9][a-z0-9_-]{0,62}$')`);
    await runner.query(`
      ALTER TABLE auth_client ADD CONSTRAINT auth_client_branch_of_role CHECK (
        CASE role WHEN 'BRANCH_SUPERVISOR' THEN branch IS NOT NULL WHEN 'OPERATOR' THEN true WHEN 'SECOND_LINE' THEN true ELSE branch IS NULL END)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE auth_client DROP CONSTRAINT IF EXISTS auth_client_branch_of_role`);
    await runner.query(`ALTER TABLE auth_client DROP COLUMN IF EXISTS branch`);
    await runner.query(`ALTER TABLE auth_client DROP CONSTRAINT auth_client_role_check`);
    await runner.query(`
      ALTER TABLE auth_client ADD CONSTRAINT auth_client_role_check
        CHECK (role IN ('OPERATOR', 'PORTAL', 'HUB_CLIENT', 'MIS_ADAPTER', 'FEDERAL_REGISTRY', 'OPERATIONS'))`);
  }
}
