import type {
  OrganisationPublished,
  OrganisationRemoved,
  ResourcePublished,
  SlotChanged,
  SlotPublished,
  SlotRemoved,
  SlotStatus,
} from '@medbus/contracts';
import type { DataQualityIssue } from '../code-map.mapper';

/**
 * The canonical states every dialect maps its vendor's records to: an event without its version and
 * observation time. The runtime compares them with what it published and stamps what changed.
 */
export type OrganisationState = Omit<OrganisationPublished, 'sourceVersion' | 'occurredAt'>;
export type ResourceState = Omit<ResourcePublished, 'sourceVersion' | 'occurredAt'>;
export type SlotState = Omit<SlotPublished, 'sourceVersion' | 'occurredAt'>;

export interface Stamp {
  readonly sourceVersion: number;
  readonly occurredAt: number;
}

/** A vendor record mapped: the state, or nothing when it cannot be published, with what was wrong with it. */
export type Mapped<T> = { readonly value: T; readonly issues: readonly DataQualityIssue[] } | { readonly value?: undefined; readonly issues: readonly DataQualityIssue[] };

/** medbus ids are the organisation's OID and the MIS's own id: unique across the region, stable across vendors' restarts. */
export const slotIdOf = (organisationOid: string, localSlotId: string): string => `${organisationOid}:${localSlotId}`;
export const resourceIdOf = (organisationOid: string, localResourceId: string): string => `${organisationOid}:${localResourceId}`;

/** An organisation's ФРМО OID as medbus keys it everywhere. */
export const organisationOidPattern = /^\d+(\.\d+)+$/;

export function organisationPublished(state: OrganisationState, stamp: Stamp): OrganisationPublished {
  return { ...state, ...stamp };
}

export function organisationRemoved(state: OrganisationState, stamp: Stamp): OrganisationRemoved {
  return { organisationOid: state.organisationOid, ...stamp };
}

export function resourcePublished(state: ResourceState, stamp: Stamp): ResourcePublished {
  return { ...state, ...stamp };
}

export function slotPublished(state: SlotState, stamp: Stamp): SlotPublished {
  return { ...state, ...stamp };
}

export function slotChanged(state: SlotState, stamp: Stamp): SlotChanged {
  return { ...state, ...stamp };
}

export function slotRemoved(state: SlotState, stamp: Stamp): SlotRemoved {
  return { slotId: state.slotId, organisationOid: state.organisationOid, resourceId: state.resourceId, ...stamp };
}

/** The same slot with another status (a listing of free slots no longer shows it: taken). */
export function withStatus(state: SlotState, status: SlotStatus): SlotState {
  return { ...state, status };
}
