import type { DataSource } from 'typeorm';
import type { OutgoingEvent } from '@medbus/kafka';
import { testDataSource, uniqueName } from '@medbus/testing';
import { ManualClock } from '../clock.service';
import { DataQualityReport } from '../code-map.mapper';
import { CreateMisAdapterPublishedState1764000000000 } from '../published-state.migration';
import type { SlotState } from './canonical.mapper';
import { Publication } from './publication.service';
import { IndexPublishedSlotsByResource1796800000000 } from './slot-ledger.migration';
import { PostgresSlotLedger } from './slot-ledger.service';

const oid = '1.2.643.5.1.13.13.12.2.97.1037';
const hour = 3_600_000;

function aSlot(resource: string, n: number, startsAt: number, status: SlotState['status'] = 'FREE'): SlotState {
  return {
    slotId: `${oid}:${resource}-${n}`,
    localSlotId: `${resource}-${n}`,
    organisationOid: oid,
    resourceId: `${oid}:${resource}`,
    localResourceId: resource,
    startsAt,
    endsAt: startsAt + 15 * 60_000,
    status,
    bookingChannels: ['CONTACT_CENTRE'],
    room: null,
  };
}

describe('Publication over the Postgres slot ledger', () => {
  let dataSource: DataSource;
  beforeAll(async () => (dataSource = await testDataSource([CreateMisAdapterPublishedState1764000000000, IndexPublishedSlotsByResource1796800000000])));
  afterAll(() => dataSource.destroy());

  function aPublication(adapterId: string, clock: ManualClock) {
    const sent: OutgoingEvent[] = [];
    const publisher = { publishAll: async (events: readonly OutgoingEvent[]) => (sent.push(...events), events.map(() => 'id')) };
    const publication = new Publication(publisher, clock, new Set([oid]), new DataQualityReport(), { log: () => undefined, warn: () => undefined }, undefined, new PostgresSlotLedger(dataSource, adapterId));
    return { publication, sent };
  }

  it("compares a listing with what a previous process published of that resource only, and publishes only the difference", async () => {
    const adapterId = uniqueName('ledger');
    const clock = new ManualClock('2026-11-30T06:00:00Z');
    const at = clock.now().getTime() + 2 * hour;
    const window = (resource: string) => ({ resourceId: `${oid}:${resource}`, fromMs: at - hour, toMs: at + 10 * hour });
    const first = aPublication(adapterId, clock);
    await first.publication.publishSlots(window('D1'), [aSlot('D1', 1, at), aSlot('D1', 2, at + hour)], { unlisted: 'removed' });
    await first.publication.publishSlots(window('D2'), [aSlot('D2', 1, at)], { unlisted: 'removed' });

    // A restarted adapter: nothing in memory, the ledger in Postgres.
    const second = aPublication(adapterId, clock);
    await second.publication.publishSlots(window('D1'), [aSlot('D1', 1, at, 'BOOKED')], { unlisted: 'removed' });
    expect(second.sent.map((e) => [e.event.name, e.key])).toEqual([
      ['SlotChanged', `${oid}:D1-1`],
      ['SlotRemoved', `${oid}:D1-2`],
    ]);
    expect(await second.publication.slot(`${oid}:D1-1`)).toMatchObject({ status: 'BOOKED' });
    expect(await second.publication.slot(`${oid}:D1-2`)).toBeUndefined();
    // The other resource was neither read into the comparison nor touched.
    expect(await second.publication.slot(`${oid}:D2-1`)).toMatchObject({ status: 'FREE' });

    const versions = second.sent.map((e) => (e.value as { sourceVersion: number }).sourceVersion);
    const firstVersion = (first.sent[0].value as { sourceVersion: number }).sourceVersion;
    for (const version of versions) expect(version).toBeGreaterThan(firstVersion);
  });

  it("reads an organisation's slots less the resources still listed, and removes them all when a complete listing names none", async () => {
    const adapterId = uniqueName('ledger');
    const clock = new ManualClock('2026-11-30T06:00:00Z');
    const at = clock.now().getTime() + 2 * hour;
    const { publication, sent } = aPublication(adapterId, clock);
    for (const resource of ['D1', 'D2']) {
      await publication.publishSlots({ resourceId: `${oid}:${resource}`, fromMs: at - hour, toMs: at + hour }, [aSlot(resource, 1, at)], { unlisted: 'taken' });
    }
    const ledger = new PostgresSlotLedger(dataSource, adapterId);
    expect((await ledger.ofOrganisation(oid, new Set([`${oid}:D1`]))).map(([id]) => id)).toEqual([`${oid}:D2-1`]);
    sent.length = 0;
    // No resource listed any more (a complete listing): every slot of the organisation goes.
    await publication.publishResources(oid, [], { complete: true });
    expect(sent.filter((e) => e.event.name === 'SlotRemoved').map((e) => e.key).sort()).toEqual([`${oid}:D1-1`, `${oid}:D2-1`]);
    expect(await ledger.ofOrganisation(oid)).toEqual([]);
  });
});
