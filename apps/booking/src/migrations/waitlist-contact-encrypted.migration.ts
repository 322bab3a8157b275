import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Waitlist contact phones are stored only as DataCipher ciphertext from now on, and the database
 * refuses anything else. Phones written in clear before are cleared, not encrypted: a migration
 * holds no data key, and an entry without a phone still gets its offer (decision record 0014).
 */
export class WaitlistContactEncrypted1796320000000 implements MigrationInterface {
  name = 'WaitlistContactEncrypted1796320000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE booking_waitlist_entry SET contact_phone = NULL WHERE contact_phone IS NOT NULL AND contact_phone NOT LIKE 'v1:%'`);
    await runner.query(
      `ALTER TABLE booking_waitlist_entry ADD CONSTRAINT booking_waitlist_entry_contact_phone_encrypted
         CHECK (contact_phone IS NULL OR contact_phone ~ '^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]+=*$')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE booking_waitlist_entry DROP CONSTRAINT IF EXISTS booking_waitlist_entry_contact_phone_encrypted`);
  }
}
