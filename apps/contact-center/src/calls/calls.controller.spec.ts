import { Role, type Caller } from '@medbus/service-auth';
import { CallsController } from './calls.controller';
import type { CallsQuery, CallView } from './calls.query';

const operator: Caller = { clientId: 'cc-op-head', role: Role.OPERATOR, channel: 'CONTACT_CENTRE', branch: null };

/** The controller over a calls query that knows no call. */
function controller(): CallsController {
  const calls: Pick<CallsQuery, 'get'> = { get: async (): Promise<CallView | undefined> => undefined };
  return new CallsController(calls as CallsQuery, { CC_HEAD_BRANCH: 'head' });
}

describe('CallsController: one call', () => {
  it('answers an unknown Uniqueid 404 CC.CALL_NOT_FOUND naming it', async () => {
    await expect(controller().one(operator, '1795980065.1')).rejects.toMatchObject({ code: 'CC.CALL_NOT_FOUND', details: { uniqueid: '1795980065.1' } });
  });

  it('does not quote back what is no Uniqueid (the hostile corpus typed a caller’s number there)', async () => {
    const refusal = controller().one(operator, '+79181234567');
    await expect(refusal).rejects.toMatchObject({ code: 'CC.CALL_NOT_FOUND', details: { uniqueid: 'malformed' } });
    await expect(refusal.catch((error: unknown) => JSON.stringify(error) + String(error))).resolves.not.toContain('79181234567');
  });
});
