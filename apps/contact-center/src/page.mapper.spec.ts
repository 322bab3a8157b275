import { z } from 'zod';
import { cursorOf, cursorReader, pageQuery, requestParser, uuidPattern } from './page.mapper';

class Refused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}
const refused = (problems: readonly string[]) => new Refused(problems);
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const taskId = '0b7e4f8e-3a55-4c1e-9d1a-5d7c2a9e8f10';

describe('keyset pages', () => {
  it('reads back the key of a cursor it issued', () => {
    const keyOf = cursorReader(refused, uuidPattern);
    expect(keyOf(cursorOf(['2026-03-02T07:00:00.000Z', taskId]))).toEqual(['2026-03-02T07:00:00.000Z', taskId]);
  });

  it('refuses with the API’s own error a cursor it did not issue, whose instant is no instant or whose id breaks the rule', () => {
    const keyOf = cursorReader(refused, uuidPattern);
    for (const cursor of ['not a cursor', encoded(['2026-03-02T07:00:00Z']), encoded([0, taskId]), encoded(['yesterday', taskId]), encoded(['2026-03-02T07:00:00Z', '1709370000.42'])]) {
      expect(() => keyOf(cursor)).toThrow(new Refused(['cursor: is not a cursor this API issued']));
    }
  });

  it('refuses a forged instant Date.parse takes but PostgreSQL does not ("1", "May 5 2026", a 30 February, another spelling), as the hostile corpus sent', () => {
    const keyOf = cursorReader(refused);
    for (const at of ['1', 'May 5 2026', '2026-02-30T00:00:00.000Z', '2026-03-02 07:00:00', '2026-03-02T07:00:00Z', '+010000-01-01T00:00:00.000Z']) {
      expect(() => keyOf(encoded([at, '1709370000.42']))).toThrow(new Refused(['cursor: is not a cursor this API issued']));
    }
  });

  it('takes any id when the API names no rule for it (a PBX Uniqueid)', () => {
    expect(cursorReader(refused)(cursorOf(['2026-03-02T07:00:00.000Z', '1709370000.42']))).toEqual(['2026-03-02T07:00:00.000Z', '1709370000.42']);
  });

  it('defaults the limit, bounds it and the cursor, and names the field but never the value in its refusal', () => {
    const parsed = requestParser(refused, 'query');
    const schema = z.object(pageQuery(500, 100, 20)).strict();
    expect(parsed(schema, {})).toEqual({ limit: 100 });
    expect(parsed(schema, { limit: '7', cursor: 'abc' })).toEqual({ limit: 7, cursor: 'abc' });
    expect(() => parsed(schema, { limit: '501', cursor: '+79181234567'.repeat(2) })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^limit: /), expect.stringMatching(/^cursor: /)], message: expect.not.stringContaining('79181234567') }),
    );
    expect(() => parsed(z.string(), 5)).toThrow(expect.objectContaining({ problems: [expect.stringMatching(/^query: /)] }));
  });

  it('names the values an enum takes, never the one given (zod quotes it: the corpus put an applicant’s number there)', () => {
    const parsed = requestParser(refused, 'body');
    const schema = z.object({ to: z.nativeEnum({ RESOLVED: 'RESOLVED', CLOSED: 'CLOSED' }), outcome: z.enum(['SATISFIED', 'NOT_REACHED']) });
    expect(() => parsed(schema, { to: 'Жалоба: +79181234567', outcome: '+79181234567' })).toThrow(
      expect.objectContaining({ problems: ['to: must be one of RESOLVED, CLOSED', 'outcome: must be one of SATISFIED, NOT_REACHED'] }),
    );
  });
});
