import { AllEvents } from '@medbus/contracts';
import { adapterTopicOf, adapterTopicPattern, adapterTopicsOf, originOf, routedEvent } from './adapter-topics.mapper';
import { deadLetterTopicOf } from './kafka.config';

describe('per-adapter topics', () => {
  it("name an adapter's copy of a contract topic, inside a namespace too, and tell the adapter back from the name", () => {
    expect(adapterTopicOf('mis.slot', 'vendor-a')).toBe('mis.slot.vendor-a');
    expect(adapterTopicOf('booking.command', 'vendor-a', 'it-x1')).toBe('it-x1.booking.command.vendor-a');
    expect(originOf('mis.slot.vendor-a')).toBe('vendor-a');
    expect(originOf('it-x1.booking.command-outcome.vendor-b', 'it-x1')).toBe('vendor-b');
    expect(originOf('booking.appointment')).toBeUndefined();
    expect(originOf('mis.slot.vendor-a', 'it-x1')).toBeUndefined();
    expect(originOf('dlq.mis.slot.vendor-a')).toBeUndefined();
  });

  it('refuse an adapter id that is not a safe name part, and a topic that is shared', () => {
    expect(() => adapterTopicOf('mis.slot', 'Vendor.A')).toThrow(/adapter id/);
    expect(() => adapterTopicOf('booking.appointment', 'vendor-a')).toThrow(/not a per-adapter topic/);
  });

  it("route a per-adapter event to the named adapter's topic, keeping the contract's registry subject", () => {
    const routed = routedEvent(AllEvents.SlotPublished, 'vendor-a', 'it-x1');
    expect(routed.topic).toBe('it-x1.mis.slot.vendor-a');
    expect(routed.subject).toBe('it-x1.mis.slot-ru.medbus.mis.slot.SlotPublished');
    expect(routedEvent(AllEvents.AppointmentBooked, 'vendor-a', undefined).topic).toBe('booking.appointment');
    expect(() => routedEvent(AllEvents.BookSlot, undefined, undefined)).toThrow(/name the adapter/);
  });

  it("match every adapter's copy of one topic and nothing else", () => {
    const pattern = adapterTopicPattern('booking.command', 'it-x1');
    expect(pattern.source.startsWith('^')).toBe(true);
    expect(pattern.flags).toBe('');
    expect(pattern.test('it-x1.booking.command.vendor-a')).toBe(true);
    expect(pattern.test('it-x1.booking.command-outcome.vendor-a')).toBe(false);
    expect(pattern.test('it-x1.dlq.booking.command.vendor-a')).toBe(false);
    expect(pattern.test('it-x2.booking.command.vendor-a')).toBe(false);
    expect(adapterTopicsOf('vendor-a')).toEqual([
      'mis.organisation.vendor-a',
      'mis.resource.vendor-a',
      'mis.slot.vendor-a',
      'mis.adapter-heartbeat.vendor-a',
      'booking.command-outcome.vendor-a',
      'booking.command.vendor-a',
    ]);
  });
});

describe('dead-letter topics', () => {
  it('sit under one dlq. prefix, inside the namespace of the topic they come from', () => {
    expect(deadLetterTopicOf('mis.slot.vendor-a')).toBe('dlq.mis.slot.vendor-a');
    expect(deadLetterTopicOf('it-x1.mis.slot.vendor-a', 'it-x1')).toBe('it-x1.dlq.mis.slot.vendor-a');
  });
});
