import { channelsFor, resourceIdOf, type DataQualityIssue, type DialectContext } from '@medbus/mis-adapter-kit';
import { InboundCode, type InboundRefusal } from './inbound.errors';
import type { OrganisationBody, ResourceBody, SlotBody, SlotRange } from './inbound-request.mapper';
import { toOrganisationState } from './organisation.mapper';
import { toResourceStates } from './resource.mapper';
import { toSlotStates } from './slot.mapper';

/** A push applied: events published (0 when nothing changed) and what was published around. */
export interface Pushed {
  readonly published: number;
  readonly issues: readonly DataQualityIssue[];
}

const organisationFirst = (organisationOid: string): InboundRefusal => ({
  refused: InboundCode.organisationNotFound,
  message: `organisation ${organisationOid} has not been pushed yet: PUT it first`,
});

/**
 * What the MIS pushes, published through the runtime's Publication, which publishes only what
 * changed (so a push repeated is 0 events). The caller has checked the organisation is in the
 * adapter's scope. Pushes of one organisation's description or resources run one at a time, as do
 * pushes of one resource's slots.
 */
export class InboundPush {
  private lastAcceptedAt: Date | null = null;

  constructor(private readonly context: DialectContext) {}

  /** When a push was last applied; null before one. */
  get lastPushAt(): Date | null {
    return this.lastAcceptedAt;
  }

  async organisation(organisationOid: string, body: OrganisationBody): Promise<Pushed> {
    const state = toOrganisationState(organisationOid, body, this.context.misVendor);
    const published = await this.context.publication.exclusive(`organisation ${organisationOid}`, () =>
      this.context.publication.publishOrganisations([state], { complete: false }),
    );
    return this.accepted(published, []);
  }

  /** The organisation's complete list: a resource it no longer names loses its slots. */
  async resources(organisationOid: string, listed: readonly ResourceBody[]): Promise<Pushed | InboundRefusal> {
    if (!this.context.publication.organisation(organisationOid)) return organisationFirst(organisationOid);
    const { states, issues } = toResourceStates(organisationOid, listed, this.context.codes, this.context.specialtyRules);
    this.context.quality.record(issues);
    const published = await this.context.publication.exclusive(`organisation ${organisationOid}`, () =>
      this.context.publication.publishResources(organisationOid, states, { complete: true }),
    );
    return this.accepted(published, issues);
  }

  /** Every slot of the resource in the range: one published before and not listed now is removed. */
  async slots(organisationOid: string, localResourceId: string, range: SlotRange, listed: readonly SlotBody[]): Promise<Pushed | InboundRefusal> {
    const organisation = this.context.publication.organisation(organisationOid);
    if (!organisation) return organisationFirst(organisationOid);
    const resourceId = resourceIdOf(organisationOid, localResourceId);
    const resource = this.context.publication.resource(resourceId);
    if (!resource) {
      return { refused: InboundCode.resourceNotFound, message: `resource ${localResourceId} is not in the organisation's resources: PUT the list with it first` };
    }
    const allowed = channelsFor(this.context.specialtyRules, resource.specialty.nsiCode, this.context.bookingChannels);
    const mapped = toSlotStates(resource, range, listed, organisation.timeZone, allowed);
    if ('refused' in mapped) {
      const message = mapped.refused === InboundCode.slotOutsideRange ? 'a slot starts outside the range pushed' : 'a slot’s times cannot be read';
      return { refused: mapped.refused, message, fields: mapped.fields };
    }
    // A slot that has started is no longer offered: it is not published, and one published before is forgotten.
    const now = this.context.clock.now().getTime();
    const ahead = mapped.states.filter((slot) => slot.startsAt >= now);
    const published = await this.context.publication.exclusive(resourceId, () =>
      this.context.publication.publishSlots(mapped.window, ahead, { unlisted: 'removed' }),
    );
    return this.accepted(published, []);
  }

  private accepted(published: number, issues: readonly DataQualityIssue[]): Pushed {
    this.lastAcceptedAt = this.context.clock.now();
    return { published, issues };
  }
}
