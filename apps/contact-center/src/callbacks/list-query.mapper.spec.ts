import { cursorOf } from '../page.mapper';
import { InvalidQueryError } from './callbacks.errors';
import { keyOf, taskKeyOf } from './list-query.mapper';

const taskId = '0b7e4f8e-3a55-4c1e-9d1a-5d7c2a9e8f10';
const at = '2026-03-02T07:00:00.000Z';

describe('call-back and call list cursors', () => {
  it('reads a task list’s cursor only when it ends at a task id (the hostile corpus forged one ending at "x": the query cast it, a 500)', () => {
    expect(taskKeyOf(cursorOf([at, taskId]))).toEqual([at, taskId]);
    for (const id of ['x', '1709370000.42', `${taskId}'`]) {
      expect(() => taskKeyOf(cursorOf([at, id]))).toThrow(InvalidQueryError);
    }
  });

  it('reads a call list’s cursor ending at a PBX Uniqueid, with CC.INVALID_QUERY for a forged instant', () => {
    expect(keyOf(cursorOf([at, '1709370000.42']))).toEqual([at, '1709370000.42']);
    expect(() => keyOf(cursorOf(['1', '1709370000.42']))).toThrow(expect.objectContaining({ code: 'CC.INVALID_QUERY' }));
  });
});
