import {
  appointmentStatusText,
  clockText,
  dateTimeText,
  districtsOf,
  emptySearch,
  freeSlotsText,
  freshnessBadge,
  isChangeable,
  isFinished,
  isSettling,
  movedIndex,
  nextDay,
  searchProblem,
  slotQueryOf,
  slotTimeText,
  waitlistIntervalOf,
  type Freshness,
  type OrganisationView,
} from './booking.mapper';

const fresh: Freshness = { stale: false, reason: null, lastSyncAt: '2026-03-02T05:00:00Z', lastHeartbeatAt: '2026-03-02T05:00:10Z' };

describe('booking mapper', () => {
  describe('slot times', () => {
    it('reads a slot start in Moscow time, three hours ahead of UTC, with the weekday', () => {
      expect(slotTimeText('2026-03-02T05:00:00Z')).toBe('пн 02.03 08:00');
    });

    it('moves a late UTC evening to the next Moscow day', () => {
      expect(slotTimeText('2026-03-01T22:30:00Z')).toBe('пн 02.03 01:30');
    });

    it('reads an instant given with another offset by its Moscow clock', () => {
      expect(dateTimeText('2026-03-02T10:00:00+05:00')).toBe('02.03.2026 08:00');
      expect(clockText('2026-03-02T10:15:00+05:00')).toBe('08:15');
    });

    it('shows a dash for a missing or unreadable instant', () => {
      expect(dateTimeText(null)).toBe('—');
      expect(slotTimeText('not a date')).toBe('—');
    });
  });

  describe('freshness badge', () => {
    it('calls an organisation whose MIS answers and was read "актуально"', () => {
      expect(freshnessBadge(fresh)).toMatchObject({ level: 'FRESH', text: 'актуально' });
    });

    it('marks an adapter that stopped beating as STALE and says since when', () => {
      const badge = freshnessBadge({ ...fresh, stale: true, reason: 'HEARTBEAT_OVERDUE', lastHeartbeatAt: '2026-03-02T05:00:10Z' });
      expect(badge.level).toBe('STALE');
      expect(badge.text).toBe('нет связи с МИС');
      expect(badge.hint).toContain('02.03.2026 08:00');
    });

    it('marks an unreachable MIS as STALE', () => {
      expect(freshnessBadge({ ...fresh, stale: true, reason: 'MIS_UNREACHABLE' })).toMatchObject({ level: 'STALE', text: 'МИС недоступна' });
    });

    it('calls an organisation never heard of or never synced UNKNOWN', () => {
      expect(freshnessBadge({ stale: true, reason: 'NO_HEARTBEAT', lastSyncAt: null, lastHeartbeatAt: null }).level).toBe('UNKNOWN');
      expect(freshnessBadge({ ...fresh, stale: true, reason: 'NEVER_SYNCED', lastSyncAt: null }).text).toBe('расписание не загружено');
    });
  });

  describe('search parameters', () => {
    it('asks for free contact-centre slots, a page of 25, and nothing the operator left empty', () => {
      expect(slotQueryOf(emptySearch)).toEqual({ freeOnly: 'true', channel: 'CONTACT_CENTRE', limit: 25 });
    });

    it('turns the chosen days into Moscow instants, the last day included', () => {
      const query = slotQueryOf({ ...emptySearch, district: '7', organisation: 'oid-1', specialty: '27', practitioner: 'oid-1:r9', from: '2026-03-02', to: '2026-03-31' }, 'c1');
      expect(query).toEqual({
        freeOnly: 'true',
        channel: 'CONTACT_CENTRE',
        limit: 25,
        district: '7',
        organisation: 'oid-1',
        specialty: '27',
        practitioner: 'oid-1:r9',
        from: '2026-03-02T00:00:00+03:00',
        to: '2026-04-01T00:00:00+03:00',
        cursor: 'c1',
      });
    });

    it('leaves out a date that is no date rather than sending it for a 400', () => {
      expect(slotQueryOf({ ...emptySearch, from: '02.03.2026' }).from).toBeUndefined();
    });

    it('names a reversed or unreadable date range', () => {
      expect(searchProblem({ ...emptySearch, from: '2026-03-05', to: '2026-03-02' })).toBe('Дата «по» раньше даты «с».');
      expect(searchProblem({ ...emptySearch, to: 'x' })).toBe('Дата «по» указана неверно.');
      expect(searchProblem({ ...emptySearch, from: '2026-03-02', to: '2026-03-02' })).toBeUndefined();
    });

    it('steps over month and year ends', () => {
      expect(nextDay('2026-02-28')).toBe('2026-03-01');
      expect(nextDay('2026-12-31')).toBe('2027-01-01');
    });

    it('offers the waitlist the searched days, else the next two weeks', () => {
      const now = new Date('2026-03-02T05:00:00Z');
      expect(waitlistIntervalOf({ ...emptySearch, from: '2026-03-10', to: '2026-03-12' }, now)).toEqual({ from: '2026-03-10T00:00:00+03:00', to: '2026-03-13T00:00:00+03:00' });
      expect(waitlistIntervalOf(emptySearch, now)).toEqual({ from: '2026-03-02T05:00:00.000Z', to: '2026-03-16T05:00:00.000Z' });
    });
  });

  describe('appointments', () => {
    it('reads each status in words', () => {
      expect(appointmentStatusText('PENDING')).toBe('ожидает ответа МИС');
      expect(appointmentStatusText('CONFIRMED')).toBe('записан');
      expect(appointmentStatusText('RESCHEDULED')).toBe('перенесена');
      expect(appointmentStatusText('SOMETHING_NEW')).toBe('SOMETHING_NEW');
    });

    it('keeps asking while the MIS has not answered, and changes only a confirmed appointment', () => {
      expect(['PENDING', 'CANCELLING', 'CONFIRMED'].map(isSettling)).toEqual([true, true, false]);
      expect(['CONFIRMED', 'PENDING', 'CANCELLED'].map(isChangeable)).toEqual([true, false, false]);
      expect(['CANCELLED', 'RESCHEDULED', 'REJECTED', 'CANCELLING'].map(isFinished)).toEqual([true, true, true, false]);
    });
  });

  describe('lists', () => {
    it('derives the districts from the organisations, once each, by name', () => {
      const org = (oid: string, districtId: string | null, districtName: string | null) => ({ organisationOid: oid, districtId, districtName }) as OrganisationView;
      expect(districtsOf([org('a', '2', 'Хостинский'), org('b', '1', 'Адлерский'), org('c', '2', 'Хостинский'), org('d', null, null)])).toEqual([
        { id: '1', name: 'Адлерский' },
        { id: '2', name: 'Хостинский' },
      ]);
    });

    it('says "50+" when the API stopped counting', () => {
      expect(freeSlotsText({ freeSlots: 50, moreFreeSlots: true })).toBe('50+');
      expect(freeSlotsText({ freeSlots: 3, moreFreeSlots: false })).toBe('3');
    });

    it('moves the active row with the arrow keys without leaving the list', () => {
      expect(movedIndex(0, 'ArrowUp', 3)).toBe(0);
      expect(movedIndex(1, 'ArrowDown', 3)).toBe(2);
      expect(movedIndex(2, 'ArrowDown', 3)).toBe(2);
      expect(movedIndex(1, 'End', 3)).toBe(2);
      expect(movedIndex(0, 'ArrowDown', 0)).toBe(-1);
    });
  });
});
