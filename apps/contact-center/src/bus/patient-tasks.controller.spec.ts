import { Role, type Caller } from '@medbus/service-auth';
import { BusErrorCode } from './bus.errors';
import type { PatientTaskQuery } from './patient-task.query';
import type { PatientTaskService } from './patient-task.service';
import { PatientTasksController } from './patient-tasks.controller';

const operator: Caller = { clientId: 'cc-op-head', role: Role.OPERATOR, channel: 'CONTACT_CENTRE', branch: null };

describe('PatientTasksController: closing a task by a path id that is no uuid', () => {
  it('is not found and does not quote the id back (the hostile corpus typed a patient’s number there)', async () => {
    const controller = new PatientTasksController({ CC_HEAD_BRANCH: 'head' }, {} as PatientTaskQuery, {} as PatientTaskService);
    await expect(controller.done('+79181234567', { outcome: 'INFORMED' }, operator)).rejects.toMatchObject({ code: BusErrorCode.taskNotFound, details: { taskId: 'malformed' } });
  });
});
