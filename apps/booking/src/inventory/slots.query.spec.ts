import { InvalidCursorError, InvalidQueryError } from './inventory.errors';
import { decodeCursor, encodeCursor, parseQuery, slotSearchParams, slotSearchSql } from './slots.query';

const now = new Date('2026-03-02T05:00:00Z');

function search(query: Record<string, string | string[]>) {
  return slotSearchSql(parseQuery(slotSearchParams, query), now);
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidQueryError) return (error.details?.['problems'] as string[]) ?? [];
    throw error;
  }
  throw new Error('expected an InvalidQueryError');
}

describe('slot search cursors', () => {
  it('round-trip the start time and slot id of the last slot of a page', () => {
    const cursor = { startsAt: new Date('2031-03-03T05:15:00.123Z'), slotId: '1.2.643.5.1.13.13.12.2.23.1:100:7' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not-base64-json'],
    [Buffer.from('{"a":1}').toString('base64url')],
    [Buffer.from('[1.5,"x"]').toString('base64url')],
    [Buffer.from('[1,""]').toString('base64url')],
    [Buffer.from('[8640000000000000,"x"]').toString('base64url')],
    [Buffer.from('[-62198755200000,"x"]').toString('base64url')],
    [Buffer.from('[1,"a\\u0000b"]').toString('base64url')],
  ])(
    'refuses a cursor this API did not issue (%s)',
    (text) => {
      expect(() => decodeCursor(text)).toThrow(InvalidCursorError);
    },
  );
});

describe('slot search parameters', () => {
  it('defaults to every status, 50 slots, from now', () => {
    const { text, values } = search({});
    expect(text.slice(text.indexOf('WHERE'))).not.toContain(`status = 'FREE'`);
    expect(text).toContain('s.starts_at >= $2');
    expect(values).toEqual([now, now, 51]);
  });

  it('names every bad parameter at once', () => {
    expect(problemsOf(() => search({ limit: '0', freeOnly: 'yes', channel: 'FAX', to: 'tomorrow', colour: 'red' }))).toEqual([
      'to must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T08:00:00+03:00',
      'channel must be one of CONTACT_CENTRE, PORTAL, FRONT_DESK, FEDERAL_PORTAL, KIOSK, OTHER',
      'freeOnly must be one of true, false',
      'limit must be between 1 and 200',
      'unknown parameter colour',
    ]);
  });

  it('refuses a parameter given twice and an empty window', () => {
    expect(problemsOf(() => search({ district: ['1', '2'] }))).toEqual(['district must be given once, as text']);
    expect(problemsOf(() => search({ from: '2031-03-03T08:00:00+03:00', to: '2031-03-03T08:00:00+03:00' }))).toEqual(['from must be before to']);
  });
});

describe('slot search SQL', () => {
  it('binds every filter as a parameter and continues after the cursor in (starts_at, slot_id) order', () => {
    const cursor = encodeCursor({ startsAt: new Date('2031-03-03T05:00:00Z'), slotId: 'org:9' });
    const { text, values } = search({
      district: '7',
      organisation: 'org',
      specialty: '27',
      position: '109',
      practitioner: 'org:doc',
      channel: 'CONTACT_CENTRE',
      freeOnly: 'true',
      from: '2031-03-03T08:00:00+03:00',
      to: '2031-03-04T08:00:00+03:00',
      limit: '20',
      cursor,
    });
    const where = text.slice(text.indexOf('WHERE'), text.indexOf('ORDER BY'));
    expect(where.replace(/\s+/g, ' ').trim()).toBe(
      `WHERE (s.offered AND s.status = 'FREE' AND (s.held_until IS NULL OR s.held_until <= $1)) AND s.organisation_oid = $2 ` +
        `AND s.resource_id = $3 AND s.district_id = $4 AND s.specialty_nsi_code = $5 AND s.position_nsi_code = $6 ` +
        `AND s.booking_channels @> ARRAY[$7]::text[] AND s.starts_at >= $8 AND s.starts_at < $9 AND (s.starts_at, s.slot_id) > ($10::timestamptz, $11::text)`,
    );
    expect(text).toMatch(/ORDER BY s\.starts_at, s\.slot_id\s+LIMIT \$12\s+\) s/);
    expect(values).toEqual([
      now,
      'org',
      'org:doc',
      '7',
      '27',
      '109',
      'CONTACT_CENTRE',
      new Date('2031-03-03T05:00:00Z'),
      new Date('2031-03-04T05:00:00Z'),
      new Date('2031-03-03T05:00:00Z'),
      'org:9',
      21,
    ]);
  });

  it('cuts the page from the slots alone and joins names to it afterwards, so a missing name cannot widen the scan', () => {
    const { text } = search({ specialty: '27', district: '7', freeOnly: 'true' });
    const page = text.slice(text.indexOf('FROM ('), text.indexOf(') s'));
    expect(page).toContain('FROM inventory_slot s');
    expect(page).not.toMatch(/JOIN/);
    expect(text.slice(text.indexOf(') s')).match(/LEFT JOIN inventory_\w+/g)).toEqual([
      'LEFT JOIN inventory_organisation',
      'LEFT JOIN inventory_practitioner',
      'LEFT JOIN inventory_organisation_heartbeat',
    ]);
  });

  it('never puts a parameter value into the SQL text', () => {
    const { text } = search({ district: "'; DROP TABLE inventory_slot; --" });
    expect(text).not.toContain('DROP');
  });
});
