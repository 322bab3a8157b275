import type { DataSource } from 'typeorm';
import { dropSchemas, schemaDataSource, uniqueName } from '@medbus/testing';
import { exporterMigrations } from '../app.module';
import { FederalViewQuery } from './federal-view.query';

const run = uniqueName('fview').replace(/[^a-z0-9]/g, '');
const schema = `exporter_view_${run}`.slice(0, 60);
const oid = `1.2.643.5.1.13.13.12.2.${run}`;
const validSnils = '11223344595';
const now = new Date('2031-03-01T08:00:00Z');

interface LocationFields {
  readonly snils?: string | null;
  readonly specialty?: string | null;
  readonly position?: { nsi: string | null; mis: string } | null;
  readonly active?: boolean;
  readonly removed?: boolean;
  readonly organisationOid?: string;
}

describe('the federal view over the exporter tables', () => {
  let dataSource: DataSource;
  let view: FederalViewQuery;

  async function location(localId: string, fields: LocationFields = {}): Promise<string> {
    const organisation = fields.organisationOid ?? oid;
    const id = `${organisation}:${localId}`;
    const position = fields.position === undefined ? { nsi: '109', mis: 'P1' } : fields.position;
    await dataSource.query(
      `INSERT INTO fer_location (location_id, organisation_oid, local_resource_id, practitioner_snils, display_name, specialty_nsi_code, specialty_name,
         position_nsi_code, position_mis_code, active, removed, source_version, occurred_at)
       VALUES ($1, $2, $3, $4, 'Иванова А. П.', $5, 'Терапия', $6, $7, $8, $9, 1, now())`,
      [id, organisation, localId, fields.snils === undefined ? validSnils : fields.snils, fields.specialty === undefined ? '76' : fields.specialty, position?.nsi ?? null, position?.mis ?? null, fields.active ?? true, fields.removed ?? false],
    );
    return id;
  }

  async function slot(locationId: string, localId: string, startsAt: Date, fields: { status?: string; channels?: string[]; removed?: boolean } = {}): Promise<string> {
    const id = `${oid}:${localId}`;
    const channels = fields.channels ?? ['FEDERAL_PORTAL', 'FRONT_DESK'];
    await dataSource.query(
      `INSERT INTO fer_slot (slot_id, organisation_oid, location_id, local_slot_id, starts_at, ends_at, status, booking_channels, federal_portal, removed, source_version, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '15 minutes', $6, $7, $8, $9, 1, now())`,
      [id, oid, locationId, localId, startsAt, fields.status ?? 'FREE', channels, channels.includes('FEDERAL_PORTAL'), fields.removed ?? false],
    );
    return id;
  }

  beforeAll(async () => {
    dataSource = await schemaDataSource(schema, {
      migrations: exporterMigrations,
      migrationsTableName: 'exporter_migrations',
    });
    view = new FederalViewQuery(dataSource);
    await dataSource.query(
      `INSERT INTO fer_organisation (organisation_oid, full_name, short_name, time_zone, active, removed, source_version, occurred_at)
       VALUES ($1, 'Городская поликлиника №1', 'ГП-1', 'Europe/Moscow', true, false, 1, now()), ($1 || '.9', 'Закрытая', 'З', 'Europe/Moscow', false, false, 1, now())`,
      [oid],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropSchemas(schema);
  });

  it('checks a SNILS check number as the Пенсионный фонд defines it', async () => {
    const [row]: { valid: boolean; wrong: boolean; short: boolean; letters: boolean; missing: boolean; old: boolean }[] = await dataSource.query(
      `SELECT fer_snils_valid('11223344595') AS valid, fer_snils_valid('11223344596') AS wrong, fer_snils_valid('1122334459') AS short,
              fer_snils_valid('1122334459a') AS letters, fer_snils_valid(NULL) AS missing, fer_snils_valid('00100199800') AS old`,
    );
    expect(row).toEqual({ valid: true, wrong: false, short: false, letters: false, missing: false, old: true });
  });

  it('offers only exportable locations: a doctor without SNILS, with a wrong one, or with an unmapped code is held back', async () => {
    const good = await location('good');
    const noPosition = await location('cabinet', { position: null });
    await location('no-snils', { snils: null });
    await location('bad-snils', { snils: '11223344596' });
    await location('no-specialty', { specialty: null });
    await location('unmapped-position', { position: { nsi: null, mis: 'P9' } });
    await location('inactive', { active: false });
    await location('removed', { removed: true });
    await location('closed-clinic', { organisationOid: `${oid}.9` });

    expect((await view.resources(oid)).map((r) => r.locationId)).toEqual([noPosition, good].sort());
    expect(await view.resources(`${oid}.9`)).toEqual([]);
    expect((await view.organisations()).filter((o) => o.organisationOid.startsWith(oid)).map((o) => o.organisationOid)).toEqual([oid]);
    expect(await view.specialties(oid)).toEqual([
      { specialtyCode: '76', specialtyName: 'Терапия', positionCode: null, positionName: null, locations: 1 },
      { specialtyCode: '76', specialtyName: 'Терапия', positionCode: '109', positionName: null, locations: 1 },
    ]);
    expect((await view.resources(oid, '76', '109')).map((r) => r.locationId)).toEqual([good]);
  });

  it('offers future slots open to the federal portal, FREE as FREE and HELD or BOOKED as BUSY, and nothing BLOCKED, closed, removed or past', async () => {
    const doctor = await location('slots-doctor');
    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
    const free = await slot(doctor, 's-free', at(60));
    const booked = await slot(doctor, 's-booked', at(75), { status: 'BOOKED' });
    await slot(doctor, 's-blocked', at(90), { status: 'BLOCKED' });
    await slot(doctor, 's-closed', at(105), { channels: ['FRONT_DESK'] });
    await slot(doctor, 's-removed', at(120), { removed: true });
    await slot(doctor, 's-past', at(-30));

    const slots = await view.slots(doctor, at(-60), at(24 * 60), now);
    expect(slots.map((s) => [s.slotId, s.status])).toEqual([
      [free, 'FREE'],
      [booked, 'BUSY'],
    ]);
  });
});
