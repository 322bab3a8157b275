import { decodeFeedCursor, decodePageCursor, encodeFeedCursor, encodePageCursor, paginate, pageSizeOf } from './page.cursor';
import { ProblemError } from './problem.errors';

const items = Array.from({ length: 7 }, (_, i) => ({ key: String(i + 1).padStart(3, '0') }));
const keyOf = (item: { key: string }): string => item.key;

function walk(list: readonly { key: string }[], limit: string, scope = 'facilities'): string[][] {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: ReturnType<typeof paginate<{ key: string }>> = paginate(list, keyOf, scope, { limit, cursor });
    pages.push(page.data.map(keyOf));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return pages;
}

describe('cursor pagination', () => {
  it('walks every item exactly once, in order, and ends with a null cursor', () => {
    expect(walk(items, '3')).toEqual([['001', '002', '003'], ['004', '005', '006'], ['007']]);
    expect(walk(items, '7')).toEqual([items.map(keyOf)]);
  });

  it('continues after the last item handed out even when an item before it is gone', () => {
    const first = paginate(items, keyOf, 'facilities', { limit: '3', cursor: null });
    const fewer = items.filter((i) => i.key !== '002');
    expect(paginate(fewer, keyOf, 'facilities', { limit: '3', cursor: first.next_cursor }).data.map(keyOf)).toEqual(['004', '005', '006']);
  });

  it('refuses a cursor of another listing and a string that is no cursor', () => {
    const cursor = encodePageCursor('practitioners:1', '003');
    expect(decodePageCursor(cursor, 'practitioners:1')).toBe('003');
    expect(() => decodePageCursor(cursor, 'practitioners:2')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
    expect(() => decodePageCursor('not a cursor!', 'facilities')).toThrow(ProblemError);
    expect(() => decodePageCursor(Buffer.from('[1]').toString('base64url'), 'facilities')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('takes 1..200 as a page size, 50 without one, and refuses anything else', () => {
    expect(pageSizeOf(null)).toBe(50);
    expect(pageSizeOf('200')).toBe(200);
    for (const bad of ['0', '201', '2.5', '-1', 'ten']) expect(() => pageSizeOf(bad)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('reads back a change-feed cursor and refuses a page cursor in its place', () => {
    expect(decodeFeedCursor(encodeFeedCursor('run-a', 1234))).toEqual({ run: 'run-a', seq: 1234 });
    expect(() => decodeFeedCursor(encodePageCursor('facilities', '001'))).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});
