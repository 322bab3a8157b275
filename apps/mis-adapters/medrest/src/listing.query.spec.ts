import { z } from 'zod';
import { MisResponseRejectedError } from '@medbus/mis-adapter-kit';
import { ListingReader } from './listing.query';
import type { Answer, Query } from './medrest.client';

const item = z.object({ id: z.string() });
type Item = z.output<typeof item>;

/** A MIS whose listing is `items`, in pages of `size`, with an ETag per page that changes with its content. */
function listingMis(items: () => readonly Item[], size: number) {
  const requests: Array<{ cursor?: string; etag?: string }> = [];
  return {
    requests,
    async readIfChanged<S extends z.ZodTypeAny>(_operation: string, _path: string, schema: S, query: Query, etag: string | undefined): Promise<Answer<z.output<S>>> {
      const cursor = query['cursor'] === undefined ? undefined : String(query['cursor']);
      requests.push({ cursor, etag });
      const start = cursor === undefined ? 0 : Number(cursor);
      const data = items().slice(start, start + size);
      const tag = `"${start}:${data.map((i) => i.id).join(',')}"`;
      if (etag === tag) return { kind: 'not-modified' };
      const next = start + size < items().length ? String(start + size) : null;
      return { kind: 'ok', status: 200, value: schema.parse({ data, next_cursor: next }) as z.output<S>, etag: tag };
    },
  };
}

describe('listings read page by page with ETags', () => {
  it('reads every page, and after a commit an unchanged listing costs a 304 per page and reads as unchanged', async () => {
    const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const mis = listingMis(() => items, 2);
    const reader = new ListingReader(mis, 2);
    const first = await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false });
    expect(first).toMatchObject({ unchanged: false, items });
    first.commit();
    mis.requests.length = 0;

    const second = await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false });
    expect(second.unchanged).toBe(true);
    expect(mis.requests).toEqual([
      { cursor: undefined, etag: '"0:a,b"' },
      { cursor: '2', etag: '"2:c"' },
    ]);
  });

  it('sends no ETag of a read that was not committed (its listing was never published)', async () => {
    const mis = listingMis(() => [{ id: 'a' }], 2);
    const reader = new ListingReader(mis, 2);
    await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false });
    const again = await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false });
    expect(again.unchanged).toBe(false);
    expect(mis.requests.map((r) => r.etag)).toEqual([undefined, undefined]);
  });

  it('reads the whole listing again when one page changed and the others’ items are not kept', async () => {
    let items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const mis = listingMis(() => items, 2);
    const reader = new ListingReader(mis, 2);
    (await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false })).commit();
    items = [{ id: 'a' }, { id: 'b' }, { id: 'd' }];
    const changed = await reader.conditional('slots', '/x', item, {}, { keepItems: false, force: false });
    expect(changed).toMatchObject({ unchanged: false, items: [{ id: 'a' }, { id: 'b' }, { id: 'd' }] });
  });

  it('answers an unchanged listing whose items are kept with those items', async () => {
    const mis = listingMis(() => [{ id: 'a' }, { id: 'b' }, { id: 'c' }], 2);
    const reader = new ListingReader(mis, 2);
    (await reader.conditional('practitioners', '/x', item, {}, { keepItems: true, force: false })).commit();
    expect(await reader.conditional('practitioners', '/x', item, {}, { keepItems: true, force: false })).toMatchObject({ unchanged: true, items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
  });

  it('reads without ETags when forced (a reasserting pass), and forgets ETags a pass did not use', async () => {
    const mis = listingMis(() => [{ id: 'a' }], 2);
    const reader = new ListingReader(mis, 2);
    reader.beginPass();
    (await reader.conditional('slots', '/x', item, { from: '2026-11-30' }, { keepItems: false, force: false })).commit();
    expect((await reader.conditional('slots', '/x', item, { from: '2026-11-30' }, { keepItems: false, force: true })).unchanged).toBe(false);
    reader.endPass();
    expect(reader.size).toBe(1);
    reader.beginPass();
    (await reader.conditional('slots', '/x', item, { from: '2026-12-01' }, { keepItems: false, force: false })).commit();
    reader.endPass();
    expect(reader.size).toBe(1);
  });

  it('refuses a listing whose cursors go round in circles', async () => {
    const looping = {
      async readIfChanged<S extends z.ZodTypeAny>(_o: string, _p: string, schema: S): Promise<Answer<z.output<S>>> {
        return { kind: 'ok', status: 200, value: schema.parse({ data: [], next_cursor: 'again' }) as z.output<S>, etag: null };
      },
    };
    await expect(new ListingReader(looping, 2).all('slots', '/x', item)).rejects.toBeInstanceOf(MisResponseRejectedError);
  });
});
