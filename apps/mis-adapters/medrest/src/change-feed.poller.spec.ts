import type { z } from 'zod';
import { MisResponseRejectedError, MisUnavailableError } from '@medbus/mis-adapter-kit';
import { recorded } from './__fixtures__/recorded';
import { ChangeFeed, practitionerDaysOf } from './change-feed.poller';
import { listingRefused } from './listing.query';
import type { Fresh, Query } from './medrest.client';
import { changesPageSchema, type MedRestChangesPage } from './medrest-response.mapper';
import type { PractitionerDay } from './schedule-sync.service';

const recordedPage = recorded('changes.page.json', changesPageSchema);
const resetPage = recorded('changes.reset.json', changesPageSchema);

/** The MIS's feed as a script of answers; remembers the `since` of each request. */
function scriptedFeed(answers: Array<MedRestChangesPage | Error>) {
  const sinces: Array<string | undefined> = [];
  return {
    sinces,
    async read<S extends z.ZodTypeAny>(_operation: string, _path: string, schema: S, query: Query = {}): Promise<Fresh<z.output<S>>> {
      sinces.push(query['since'] === undefined ? undefined : String(query['since']));
      const next = answers.shift();
      if (next === undefined) throw new Error('the script has no more answers');
      if (next instanceof Error) throw next;
      return { kind: 'ok', status: 200, value: schema.parse(next) as z.output<S>, etag: null };
    },
  };
}

const head = (cursor: string): MedRestChangesPage => ({ data: [], next_cursor: cursor, has_more: false, reset: false });

function feedOf(answers: Array<MedRestChangesPage | Error>, reread: (days: readonly PractitionerDay[]) => Promise<void> = async () => undefined) {
  const client = scriptedFeed(answers);
  const reads: PractitionerDay[][] = [];
  const syncs: number[] = [];
  const feed = new ChangeFeed(client, {
    pageSize: 200,
    reread: async (days) => {
      await reread(days);
      reads.push([...days]);
    },
    requestSync: () => syncs.push(1),
  });
  return { feed, client, reread: reads, syncs };
}

describe('the change feed', () => {
  it('names each practitioner-day of a recorded run of changes once, at the facility’s date', () => {
    const other = { ...recordedPage.data[0], practitioner_id: 'prc-1-D0106', start: '2026-12-02T09:45:00+03:00' };
    expect(practitionerDaysOf([...recordedPage.data, other, ...recordedPage.data])).toEqual([
      { facilityId: 'fac-1', practitionerId: 'prc-1-D0102', date: '2026-12-01' },
      { facilityId: 'fac-1', practitionerId: 'prc-1-D0106', date: '2026-12-02' },
    ]);
  });

  it('follows from the head taken before a pass, re-reads the days changes name, and asks again at once while the MIS has more', async () => {
    const { feed, client, reread } = feedOf([head('c0'), recordedPage, head('c9')]);
    await feed.poll();
    expect(client.sinces).toEqual([]);
    await feed.anchor();
    await feed.anchor();
    await feed.poll();
    expect(client.sinces).toEqual([undefined, 'c0', recordedPage.next_cursor]);
    expect(reread).toEqual([[{ facilityId: 'fac-1', practitionerId: 'prc-1-D0102', date: '2026-12-01' }]]);
    expect(feed.counters).toEqual({ changes: 4, resets: 0 });
  });

  it('keeps its place when a re-read fails, so the next poll reads the same changes again', async () => {
    let failing = true;
    const { feed, client, reread } = feedOf([head('c0'), { ...recordedPage, has_more: false }, { ...recordedPage, has_more: false }], async () => {
      if (failing) throw new MisUnavailableError('the MIS does not answer');
    });
    await feed.anchor();
    await expect(feed.poll()).rejects.toBeInstanceOf(MisUnavailableError);
    failing = false;
    await feed.poll();
    expect(client.sinces).toEqual([undefined, 'c0', 'c0']);
    expect(reread).toHaveLength(1);
  });

  it('skips changes it already applied when the MIS delivers them again', async () => {
    const { feed, reread } = feedOf([head('c0'), { ...recordedPage, has_more: false }, { ...recordedPage, next_cursor: 'c2', has_more: false }]);
    await feed.anchor();
    await feed.poll();
    await feed.poll();
    expect(reread).toHaveLength(1);
    expect(feed.counters.changes).toBe(4);
  });

  it('asks for a full pass on a reset and follows on from the cursor the MIS answered', async () => {
    const { feed, client, syncs, reread } = feedOf([head('c0'), resetPage, head(resetPage.next_cursor)]);
    await feed.anchor();
    await feed.poll();
    await feed.poll();
    expect(syncs).toHaveLength(1);
    expect(client.sinces).toEqual([undefined, 'c0', resetPage.next_cursor]);
    expect(reread).toEqual([]);
    expect(feed.counters).toEqual({ changes: 0, resets: 1 });
  });

  it('drops a cursor the MIS no longer takes and asks for a pass, which anchors a new one', async () => {
    const invalid = listingRefused('changes', { kind: 'problem', status: 400, problem: { code: 'invalid_cursor', status: 400 } });
    expect(invalid).toBeInstanceOf(MisResponseRejectedError);
    const { feed, client, syncs } = feedOf([head('c0'), invalid, head('c5')]);
    await feed.anchor();
    await feed.poll();
    expect(feed.anchored).toBe(false);
    expect(syncs).toHaveLength(1);
    await feed.anchor();
    expect(client.sinces).toEqual([undefined, 'c0', undefined]);
  });
});
