import { MisResponseRejectedError } from '@medbus/mis-adapter-kit';
import { listingRefused } from './listing.query';
import type { MedRestClient } from './medrest.client';
import { changesPageSchema, type MedRestSlotChange } from './medrest-response.mapper';
import type { PractitionerDay } from './schedule-sync.service';

/**
 * The practitioner-days a run of changes touched, each once, in the order of their first change.
 * A change's `start` carries the facility's offset, so its first ten characters are the facility's date.
 */
export function practitionerDaysOf(changes: readonly MedRestSlotChange[]): PractitionerDay[] {
  const days = new Map<string, PractitionerDay>();
  for (const change of changes) {
    const day = { facilityId: change.facility_id, practitionerId: change.practitioner_id, date: change.start.slice(0, 10) };
    const key = `${day.facilityId}/${day.practitionerId}/${day.date}`;
    if (!days.has(key)) days.set(key, day);
  }
  return [...days.values()];
}

export interface ChangeFeedCounters {
  /** Changes read (duplicates of a redelivery excluded). */
  changes: number;
  /** Times the MIS said the cursor was too old (or from before its restart) and a full pass was asked for. */
  resets: number;
}

export interface ChangeFeedOptions {
  readonly pageSize: number;
  /** Reads the days again; throws when it could not (the same changes are read again next time). */
  readonly reread: (days: readonly PractitionerDay[]) => Promise<void>;
  /** Asks for a full pass (the feed cannot say what changed). */
  readonly requestSync: () => void;
}

/**
 * Follows `GET /slots/changes` between full passes. The cursor is taken (`anchor`) before a pass
 * reads the listings, so nothing falls between; each poll re-reads the practitioner-days the new
 * changes name and only then moves the cursor on, so a failed re-read is retried with the next poll.
 * A `reset` (cursor too old, or the MIS restarted) asks for a full pass and follows on from the
 * cursor the MIS answered. Delivery is at least once: a change whose revision was already applied is skipped.
 */
export class ChangeFeed {
  readonly counters: ChangeFeedCounters = { changes: 0, resets: 0 };
  private cursor: string | undefined;
  private applied = 0;

  constructor(
    private readonly client: Pick<MedRestClient, 'read'>,
    private readonly options: ChangeFeedOptions,
  ) {}

  /** Whether the feed has a place to follow from. */
  get anchored(): boolean {
    return this.cursor !== undefined;
  }

  /** Takes the end of the feed as the place to follow from, unless there is one. */
  async anchor(): Promise<void> {
    if (this.cursor !== undefined) return;
    this.cursor = (await this.read(undefined)).next_cursor;
  }

  /** Reads every change since the cursor and re-reads the days they name. */
  async poll(): Promise<void> {
    for (let since = this.cursor; since !== undefined; since = this.cursor) {
      const page = await this.read(since).catch((error: unknown) => {
        // A cursor the MIS does not take any more: the next pass anchors a new one before it reads.
        if (!(error instanceof MisResponseRejectedError) || error.details?.['misCode'] !== 'invalid_cursor') throw error;
        this.cursor = undefined;
        this.options.requestSync();
        return undefined;
      });
      if (!page) return;
      if (page.reset) {
        this.counters.resets += 1;
        this.applied = 0;
        this.cursor = page.next_cursor;
        this.options.requestSync();
        return;
      }
      const fresh = page.data.filter((change) => change.revision > this.applied);
      if (fresh.length > 0) await this.options.reread(practitionerDaysOf(fresh));
      this.counters.changes += fresh.length;
      this.applied = Math.max(this.applied, ...fresh.map((change) => change.revision));
      this.cursor = page.next_cursor;
      if (!page.has_more) return;
    }
  }

  private async read(since: string | undefined) {
    const answer = await this.client.read('changes', '/slots/changes', changesPageSchema, { since, limit: this.options.pageSize });
    if (answer.kind === 'problem') throw listingRefused('changes', answer);
    return answer.value;
  }
}
