import { randomBytes } from 'node:crypto';
import { Role, type Caller } from '@medbus/service-auth';
import { appealReachOf, reachesAppeal } from './appeal-access.mapper';
import { appealProtectionOf } from './appeal-protection.service';
import { viewOf } from './appeal-view.mapper';
import { AppealStatus } from './appeal-workflow.mapper';
import { boundTo, type AppealRow } from './appeal.entity';

const head = 'head';
const { cipher } = appealProtectionOf({ CC_DATA_KEYS: [{ id: 'k1', key: randomBytes(32) }], CC_PHONE_HASH_KEY: randomBytes(32) });
const reveal = (stored: string, bound: string) => cipher.decrypt(stored, bound);

const aCaller = (role: string, branch: string | null, clientId = `${role.toLowerCase()}-1`): Caller => ({ clientId, role, channel: 'CONTACT_CENTRE', branch });

function anAppeal(fields: Partial<Pick<AppealRow, 'branch' | 'line' | 'assigned_to' | 'status'>> = {}): AppealRow {
  const id = '6f1c2a52-8a4e-4d5e-9d1b-1a2b3c4d5e6f';
  const at = new Date('2026-03-02T07:00:00Z');
  return {
    id, number: '2026-000001', type_code: 'QUALITY_OF_CARE', profile_code: '76', organisation_oid: '1.2.643.5.1.13.13.12.2.23.1', district_id: 'd-1', district_name: 'Прикубанский',
    branch: 'sochi', patient_id: null, applicant_phone: cipher.encrypt('+7 918 123-45-67', boundTo.phone(id)), text: cipher.encrypt('Не дозвониться в регистратуру', boundTo.text(id)),
    status: AppealStatus.SECOND_LINE, line: 2, assigned_to: 'doctor-1', created_by: 'operator-1', created_at: at, review_days: 10, deadline_at: at, escalate_at: at,
    escalated_at: null, overdue_at: null, handover_note: cipher.encrypt('Нужен дежурный терапевт', boundTo.handoverNote(id)), resolved_at: null, resolution: null,
    follow_up_due_at: null, follow_up_at: null, follow_up_outcome: null, follow_up_note: null, follow_ups_not_reached: 0, closed_at: null, request_hash: null,
    ...fields,
  };
}

const seen = (caller: Caller, appeal = anAppeal()) => {
  const view = viewOf(appeal, [], caller, head, reveal);
  return { phone: view.applicantPhone, masked: view.applicantPhoneMasked, text: view.text, handover: view.handoverNote };
};

describe('who sees an appeal’s number and text', () => {
  it('shows the operator of its branch the number and the text', () => {
    expect(seen(aCaller(Role.OPERATOR, 'sochi'))).toEqual({ phone: '+7 918 123-45-67', masked: false, text: 'Не дозвониться в регистратуру', handover: 'Нужен дежурный терапевт' });
  });

  it('shows the second-line doctor it is assigned to the number, and one who would take it from the pool only the text', () => {
    expect(seen(aCaller(Role.SECOND_LINE, null, 'doctor-1'))).toMatchObject({ phone: '+7 918 123-45-67', masked: false });
    expect(seen(aCaller(Role.SECOND_LINE, null, 'doctor-2'), anAppeal({ assigned_to: null }))).toMatchObject({ phone: '+7 9** ***-**-67', masked: true, text: 'Не дозвониться в регистратуру' });
  });

  it('shows supervisors the text to judge the answer, never the number', () => {
    expect(seen(aCaller(Role.BRANCH_SUPERVISOR, 'sochi'))).toEqual({ phone: '+7 9** ***-**-67', masked: true, text: 'Не дозвониться в регистратуру', handover: 'Нужен дежурный терапевт' });
    expect(seen(aCaller(Role.HEAD_SUPERVISOR, null))).toMatchObject({ phone: '+7 9** ***-**-67', masked: true, text: 'Не дозвониться в регистратуру' });
  });

  it('shows an operator of another branch neither (he does not reach the appeal at all)', () => {
    const other = aCaller(Role.OPERATOR, 'anapa');
    expect(reachesAppeal(other, head, { branch: 'sochi', line: 1, assignedTo: null })).toBe(false);
    expect(seen(other)).toEqual({ phone: '+7 9** ***-**-67', masked: true, text: null, handover: null });
  });
});

describe('which appeals a caller reaches', () => {
  const place = (branch: string, line: 1 | 2, assignedTo: string | null) => ({ branch, line, assignedTo });

  it('gives a branch supervisor his branch, the head supervisor all, an operator without a branch the head centre', () => {
    expect(reachesAppeal(aCaller(Role.BRANCH_SUPERVISOR, 'sochi'), head, place('sochi', 1, null))).toBe(true);
    expect(reachesAppeal(aCaller(Role.BRANCH_SUPERVISOR, 'sochi'), head, place('anapa', 1, null))).toBe(false);
    expect(reachesAppeal(aCaller(Role.HEAD_SUPERVISOR, null), head, place('anapa', 2, 'x'))).toBe(true);
    expect(reachesAppeal(aCaller(Role.OPERATOR, null), head, place('head', 1, null))).toBe(true);
  });

  it('gives the second line only appeals passed to it, in its pool or its own, of any branch', () => {
    const doctor = aCaller(Role.SECOND_LINE, null, 'doctor-1');
    expect(reachesAppeal(doctor, head, place('anapa', 2, null))).toBe(true);
    expect(reachesAppeal(doctor, head, place('sochi', 2, 'doctor-1'))).toBe(true);
    expect(reachesAppeal(doctor, head, place('sochi', 2, 'doctor-2'))).toBe(false);
    expect(reachesAppeal(doctor, head, place('head', 1, null))).toBe(false);
  });

  it('refuses a branch outside the caller’s reach rather than narrowing it', () => {
    expect(() => appealReachOf(aCaller(Role.BRANCH_SUPERVISOR, 'sochi'), head, 'anapa')).toThrow(expect.objectContaining({ code: 'CC.BRANCH_FORBIDDEN' }));
    expect(appealReachOf(aCaller(Role.HEAD_SUPERVISOR, null), head, 'anapa')).toEqual({ kind: 'branch', branch: 'anapa' });
  });
});
