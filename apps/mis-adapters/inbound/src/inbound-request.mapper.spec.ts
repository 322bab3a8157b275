import { commandsQuerySchema, fieldErrorsOf, organisationBodySchema, resourcesBodySchema, slotRangeQuerySchema, slotsBodySchema } from './inbound-request.mapper';
import organisation from './__fixtures__/organisation.json';
import resources from './__fixtures__/resources.json';
import slots from './__fixtures__/slots.json';

function fieldsOf(result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) {
  if (result.success || !result.error) throw new Error('expected a refusal');
  return fieldErrorsOf(result.error);
}

describe('what the inbound API accepts', () => {
  it('accepts the recorded pushes', () => {
    expect(organisationBodySchema.safeParse(organisation).success).toBe(true);
    expect(resourcesBodySchema.safeParse(resources).success).toBe(true);
    expect(slotsBodySchema.safeParse(slots).success).toBe(true);
  });

  it('names each field it refuses and why, never the value given', () => {
    const fields = fieldsOf(organisationBodySchema.safeParse({ ...organisation, timeZone: 'Moscow/Kremlin', district: { id: '' }, extra: 1 }));

    expect(fields).toEqual(
      expect.arrayContaining([
        { path: 'timeZone', message: 'must be an IANA time zone such as Europe/Moscow' },
        { path: 'district.id', message: 'must not be empty' },
        { path: 'district.name', message: 'Required' },
        { path: '(body)', message: "Unrecognized key(s) in object: 'extra'" },
      ]),
    );
  });

  it('says which values an enumerated field takes without echoing the one given', () => {
    const fields = fieldsOf(slotsBodySchema.safeParse({ slots: [{ ...slots.slots[0], status: 'Иванов И. И.' }] }));

    expect(fields).toEqual([{ path: 'slots.0.status', message: 'must be one of FREE, BOOKED, BLOCKED' }]);
    expect(JSON.stringify(fields)).not.toContain('Иванов');
  });

  it('refuses a listing naming one id twice, pointing at the second', () => {
    const fields = fieldsOf(slotsBodySchema.safeParse({ slots: [slots.slots[0], slots.slots[1], { ...slots.slots[2], localId: slots.slots[0]?.localId }] }));

    expect(fields).toEqual([{ path: 'slots.2.localId', message: 'repeats the localId of slots[0]' }]);
  });

  it('refuses ids that would not survive a URL, and a SNILS that is not 11 digits', () => {
    const [first] = resources.resources;
    const fields = fieldsOf(resourcesBodySchema.safeParse({ resources: [{ ...first, localId: 'doc/117', snils: '123' }] }));

    expect(fields.map((f) => f.path)).toEqual(['resources.0.localId', 'resources.0.snils']);
  });

  it('takes a range of real days, to not before from, at most 92 days', () => {
    expect(slotRangeQuerySchema.safeParse({ from: '2026-11-24', to: '2026-11-24' }).success).toBe(true);
    expect(fieldsOf(slotRangeQuerySchema.safeParse({ from: '2026-11-24', to: '2026-11-23' }))).toEqual([{ path: 'to', message: 'must not be before from' }]);
    expect(fieldsOf(slotRangeQuerySchema.safeParse({ from: '2026-02-30', to: '2026-03-01' }))).toEqual([{ path: 'from', message: 'must be a calendar date' }]);
    expect(fieldsOf(slotRangeQuerySchema.safeParse({ from: '2026-01-01', to: '2026-04-30' }))).toEqual([{ path: 'to', message: 'the range may span at most 92 days' }]);
  });

  it('waits at most 25 seconds on a command poll', () => {
    expect(commandsQuerySchema.parse({ wait: '25' })).toEqual({ wait: 25 });
    expect(commandsQuerySchema.safeParse({ wait: '26' }).success).toBe(false);
    expect(commandsQuerySchema.safeParse({ wait: '-1' }).success).toBe(false);
  });
});
