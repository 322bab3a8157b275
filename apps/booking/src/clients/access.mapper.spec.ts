import { Permission, Role, actsForAnyPatient, channelOf, mayDo, reaches, roles } from './access.mapper';

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

  it("lets only the federal registry's exporter check other callers' keys through booking, and read the adapters beside operations", () => {
    expect(can(Role.FEDERAL_REGISTRY)).toEqual([
      Permission.searchInventory,
      Permission.identifyPatients,
      Permission.readBookings,
      Permission.writeBookings,
      Permission.introspectCredentials,
      Permission.readAdapters,
    ]);
    expect(roles.filter((role) => mayDo({ role }, Permission.introspectCredentials))).toEqual([Role.FEDERAL_REGISTRY]);
    expect(roles.filter((role) => mayDo({ role }, Permission.readAdapters))).toEqual([Role.FEDERAL_REGISTRY, Role.OPERATIONS]);
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
    expect(channelOf(Role.FEDERAL_REGISTRY, null)).toBe('FEDERAL_PORTAL');
    expect(channelOf(Role.HUB_CLIENT, 'KIOSK')).toBe('KIOSK');
    expect(channelOf(Role.HUB_CLIENT, null)).toBe('CONTACT_CENTRE');
    expect(channelOf(Role.PORTAL, null)).toBe('PORTAL');
    expect(channelOf(Role.PORTAL, 'NOT_A_CHANNEL')).toBe('PORTAL');
  });
});
