import { inNamespace, namespaced, type EventDefinition } from './kafka.config';

const slotPublished: EventDefinition = {
  name: 'SlotPublished',
  fullName: 'ru.medbus.mis.slot.SlotPublished',
  topic: 'mis.slot',
  subject: 'mis.slot-ru.medbus.mis.slot.SlotPublished',
  schema: {},
};

describe('namespaces', () => {
  it('prefix topics, registry subjects and group names of a run, and leave the contract names alone without one', () => {
    expect(inNamespace(slotPublished, 'bench-m3k2')).toEqual({
      ...slotPublished,
      topic: 'bench-m3k2.mis.slot',
      subject: 'bench-m3k2.mis.slot-ru.medbus.mis.slot.SlotPublished',
    });
    expect(namespaced('booking-inventory', 'bench-m3k2')).toBe('bench-m3k2.booking-inventory');
    expect(inNamespace(slotPublished, undefined)).toBe(slotPublished);
    expect(namespaced('mis.slot', '')).toBe('mis.slot');
  });

  it('refuses a namespace that is not a safe name part', () => {
    expect(() => namespaced('mis.slot', 'Bench/1')).toThrow(/namespace/);
  });
});
