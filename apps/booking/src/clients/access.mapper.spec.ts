import { Permission, Role, actsForAnyPatient, branchProblem, channelOf, mayDo, reaches, roles } from './access.mapper';

describe('what each role may do', () => {
  const can = (role: Role) => Object.values(Permission).filter((permission) => mayDo({ role }, permission));

  it('gives the booking roles the booking API, operations reading, the audit log and the adapters, and adapters nothing over HTTP', () => {
    const booking = [Permission.searchInventory, Permission.identifyPatients, Permission.readBookings, Permission.writeBookings];
    expect(can(Role.OPERATOR)).toEqual(booking);
    expect(can(Role.PORTAL)).toEqual(booking);
    expect(can(Role.HUB_CLIENT)).toEqual(booking);
    expect(can(Role.OPERATIONS)).toEqual([Permission.searchInventory, Permission.readBookings, Permission.readAudit, Permission.readAdapters]);
    expect(can(Role.MIS_ADAPTER)).toEqual([]);
  });

  it('lets the second line and both supervisors search the inventory and read any booking, and change nothing', () => {
    for (const role of [Role.SECOND_LINE, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR]) {
      expect(can(role)).toEqual([Permission.searchInventory, Permission.readBookings]);
      const reader = { role, clientId: `${role.toLowerCase()}-1` };
      expect([reaches(reader, 'op-1', 'read'), reaches(reader, 'op-1', 'write'), actsForAnyPatient(reader, 'read')]).toEqual([true, false, true]);
    }
  });

  it('gives the contact-centre service only the checking of its callers\' keys and the adapters, no booking', () => {
    expect(can(Role.CONTACT_CENTRE)).toEqual([Permission.introspectCredentials, Permission.readAdapters]);
    expect(actsForAnyPatient({ role: Role.CONTACT_CENTRE }, 'read')).toBe(false);
  });

  it("lets only the federal registry's exporter and the contact centre check other callers' keys through booking, and read the adapters beside operations", () => {
    expect(can(Role.FEDERAL_REGISTRY)).toEqual([
      Permission.searchInventory,
      Permission.identifyPatients,
      Permission.readBookings,
      Permission.writeBookings,
      Permission.introspectCredentials,
      Permission.readAdapters,
    ]);
    expect(roles.filter((role) => mayDo({ role }, Permission.introspectCredentials))).toEqual([Role.CONTACT_CENTRE, Role.FEDERAL_REGISTRY]);
    expect(roles.filter((role) => mayDo({ role }, Permission.readAdapters))).toEqual([Role.CONTACT_CENTRE, Role.FEDERAL_REGISTRY, Role.OPERATIONS]);
  });

  it('lets operators read and change any client\'s records, operations read them only, everyone else only their own', () => {
    const operator = { role: Role.OPERATOR, clientId: 'op-1' };
    const operations = { role: Role.OPERATIONS, clientId: 'ops' };
    const portal = { role: Role.PORTAL, clientId: 'portal' };
    expect([reaches(operator, 'portal', 'read'), reaches(operator, 'portal', 'write')]).toEqual([true, true]);
    expect([reaches(operations, 'portal', 'read'), reaches(operations, 'portal', 'write')]).toEqual([true, false]);
    expect([reaches(portal, 'portal', 'write'), reaches(portal, 'other', 'read'), reaches(portal, 'other', 'write')]).toEqual([true, false, false]);
    expect(roles.filter((role) => actsForAnyPatient({ role }, 'write'))).toEqual([Role.OPERATOR]);
  });

  it('takes the booking channel from the role or the registration, never anything else', () => {
    expect(channelOf(Role.OPERATOR, 'KIOSK')).toBe('CONTACT_CENTRE');
    expect([Role.SECOND_LINE, Role.BRANCH_SUPERVISOR, Role.HEAD_SUPERVISOR, Role.CONTACT_CENTRE].map((role) => channelOf(role, 'KIOSK'))).toEqual([
      'CONTACT_CENTRE',
      'CONTACT_CENTRE',
      'CONTACT_CENTRE',
      'CONTACT_CENTRE',
    ]);
    expect(channelOf(Role.FEDERAL_REGISTRY, null)).toBe('FEDERAL_PORTAL');
    expect(channelOf(Role.HUB_CLIENT, 'KIOSK')).toBe('KIOSK');
    expect(channelOf(Role.HUB_CLIENT, null)).toBe('CONTACT_CENTRE');
    expect(channelOf(Role.PORTAL, null)).toBe('PORTAL');
    expect(channelOf(Role.PORTAL, 'NOT_A_CHANNEL')).toBe('PORTAL');
  });
});

describe('which clients belong to a branch of the contact centre', () => {
  it('requires a branch of a branch supervisor', () => {
    expect(branchProblem(Role.BRANCH_SUPERVISOR, null)).toMatch(/BRANCH_SUPERVISOR is registered with the branch he supervises/);
    expect(branchProblem(Role.BRANCH_SUPERVISOR, 'sochi')).toBeNull();
  });

  it('lets an operator and a second-line expert have a home branch or none (the head centre)', () => {
    for (const role of [Role.OPERATOR, Role.SECOND_LINE]) {
      expect([branchProblem(role, 'novorossiysk'), branchProblem(role, null)]).toEqual([null, null]);
    }
  });

  it('refuses a branch to the head-centre supervisor, the contact-centre service and every role outside the contact centre', () => {
    const without = roles.filter((role) => branchProblem(role, 'sochi') !== null);
    expect(without).toEqual([Role.HEAD_SUPERVISOR, Role.CONTACT_CENTRE, Role.PORTAL, Role.HUB_CLIENT, Role.MIS_ADAPTER, Role.FEDERAL_REGISTRY, Role.OPERATIONS]);
    expect(branchProblem(Role.HEAD_SUPERVISOR, 'sochi')).toMatch(/role HEAD_SUPERVISOR belongs to no branch/);
    expect(without.filter((role) => branchProblem(role, null) !== null)).toEqual([]);
  });

  it('refuses a branch that is not a short lower-case name', () => {
    for (const branch of ['Sochi', '', '-sochi', 'sochi centre', 'сочи', 'x'.repeat(64)]) {
      expect(branchProblem(Role.BRANCH_SUPERVISOR, branch)).toMatch(/a branch must match/);
    }
    expect(branchProblem(Role.OPERATOR, `s${'x'.repeat(62)}`)).toBeNull();
  });
});
