import { Role, type Caller } from '@medbus/service-auth';
import type { Clock } from '../clock.service';
import { AppealsController } from './appeals.controller';
import { AppealErrorCode } from './appeals.errors';
import type { AppealsQuery } from './appeals.query';
import type { AppealsService } from './appeals.service';

const operator: Caller = { clientId: 'cc-op-head', role: Role.OPERATOR, channel: 'CONTACT_CENTRE', branch: null };
const unused = <T>(): T => ({}) as T;

describe('AppealsController: a path id that is no uuid', () => {
  it.each(['+79181234567', '..%2f..%2fadmin', 'x'.repeat(5000)])('is not found and not quoted back: %#', async (id) => {
    const controller = new AppealsController({ CC_HEAD_BRANCH: 'head' }, unused<AppealsService>(), unused<AppealsQuery>(), unused<Clock>());
    for (const refusal of [controller.get(id, operator), controller.transition(id, { to: 'IN_PROGRESS' }, operator), controller.followUp(id, { outcome: 'SATISFIED' }, operator)]) {
      await expect(refusal).rejects.toMatchObject({ code: AppealErrorCode.notFound, details: { appealId: 'malformed' } });
    }
  });
});
