import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { schemaDataSource, uniqueName } from '@medbus/testing';
import { bookingMigrations } from '../app.module';
import { DataCipher } from '../data-cipher.service';
import { WaitlistContactEncrypted1796320000000 } from './waitlist-contact-encrypted.migration';

describe('WaitlistContactEncrypted1796320000000', () => {
  const schema = uniqueName('waitlist_contact').replace(/[^a-z0-9]/g, '_');
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await schemaDataSource(schema, { migrations: bookingMigrations, migrationsTableName: 'booking_migrations', max: 2 });
  });

  afterAll(async () => {
    await dataSource?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dataSource?.destroy();
  });

  async function anEntry(contactPhone: string | null): Promise<string> {
    const patientId = randomUUID();
    const entryId = randomUUID();
    await dataSource.query(`INSERT INTO booking_patient (patient_id, organisation_oid, mis_patient_id) VALUES ($1, '1.2.3', $2)`, [patientId, `P-${patientId}`]);
    await dataSource.query(
      `INSERT INTO booking_waitlist_entry (entry_id, patient_id, organisation_oid, specialty_code, preferred, contact_phone, reason, status, client_id, created_at, updated_at)
       VALUES ($1, $2, '1.2.3', '27', '{[2031-01-01,2031-01-02)}', $3, 'NO_FREE_SLOTS', 'WAITING', 'kc', now(), now())`,
      [entryId, patientId, contactPhone],
    );
    return entryId;
  }

  const phoneOf = async (entryId: string): Promise<string | null> =>
    (await dataSource.query(`SELECT contact_phone FROM booking_waitlist_entry WHERE entry_id = $1`, [entryId]))[0].contact_phone;

  it('clears phones stored in clear, keeps ciphertext, and from then on refuses a phone in clear', async () => {
    const migration = new WaitlistContactEncrypted1796320000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      const cipher = new DataCipher({ BOOKING_DATA_KEYS: [{ id: 'k1', key: randomBytes(32) }] });
      const plain = await anEntry('+7 916 555-12-34');
      const none = await anEntry(null);
      const encrypted = cipher.encrypt('+7 916 555-12-35', 'booking_waitlist_entry.contact_phone:an-entry');
      const sealed = await anEntry(encrypted);

      await migration.up(runner);

      expect([await phoneOf(plain), await phoneOf(none), await phoneOf(sealed)]).toEqual([null, null, encrypted]);
      await expect(anEntry('+7 916 555-12-36')).rejects.toThrow(/booking_waitlist_entry_contact_phone_encrypted/);
    } finally {
      await runner.release();
    }
  });
});
