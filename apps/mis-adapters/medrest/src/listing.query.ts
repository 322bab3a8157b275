import type { z } from 'zod';
import { MisResponseRejectedError, MisResponseRejection } from '@medbus/mis-adapter-kit';
import type { Answer, MedRestClient, Query } from './medrest.client';
import { pageSchema, type Page } from './medrest-response.mapper';

/** A listing read page by page with the ETags of the last read that was committed. */
export interface Listing<T> {
  /** Every item; empty when `unchanged` and the listing's items are not kept. */
  readonly items: readonly T[];
  /** Every page answered `304`: the listing is what it was when last committed. */
  readonly unchanged: boolean;
  /** Remembers the pages' ETags: call once what was read has been published. */
  commit(): void;
}

export interface ConditionalOptions {
  /** Keep the items with the ETags (small listings read again when unchanged: facilities, practitioners). */
  readonly keepItems: boolean;
  /** Read without ETags (a reasserting pass needs every item). */
  readonly force: boolean;
}

interface Remembered {
  readonly etag: string;
  readonly next: string | null;
  readonly items?: readonly unknown[];
  readonly pass: number;
}

interface ReadPage<T> {
  readonly key: string;
  readonly etag: string | null;
  readonly next: string | null;
  readonly items?: readonly T[];
  /** Answered with a body (not `304`). */
  readonly fresh: boolean;
}

/** A hostile or broken MIS may hand out cursors forever. */
const maxPages = 1000;

/** The refusal of a listing the MIS answered with a problem (a facility or practitioner gone meanwhile). */
export function listingRefused(operation: string, answer: Extract<Answer<unknown>, { readonly kind: 'problem' }>): MisResponseRejectedError {
  return new MisResponseRejectedError(MisResponseRejection.businessError, `MedREST ${operation} answered ${answer.problem.code}`, {
    details: { status: answer.status, misCode: answer.problem.code },
  });
}

/**
 * Reads MedREST's cursor-paged listings. A full pass reads them conditionally: each page's ETag is
 * sent back as `If-None-Match`, so a listing that has not changed costs one `304` per page and is not
 * published again. Only ETags of listings that were published are remembered (`commit`), and those a
 * pass did not use are forgotten at its end.
 */
export class ListingReader {
  private readonly remembered = new Map<string, Remembered>();
  private pass = 0;

  constructor(
    private readonly client: Pick<MedRestClient, 'readIfChanged'>,
    private readonly pageSize: number,
  ) {}

  /** ETags remembered. */
  get size(): number {
    return this.remembered.size;
  }

  beginPass(): void {
    this.pass += 1;
  }

  /** Forgets the ETags the pass begun last did not use (yesterday's windows, gone practitioners). */
  endPass(): void {
    for (const [key, entry] of this.remembered) if (entry.pass < this.pass) this.remembered.delete(key);
  }

  /** Every item of a listing, without ETags. */
  async all<S extends z.ZodTypeAny>(operation: string, path: string, item: S, query: Query = {}): Promise<z.output<S>[]> {
    const pages = await this.walk(operation, path, item, query, false);
    return pages.flatMap((page) => page.items ?? []);
  }

  /** A listing read with the ETags of its last committed read. */
  async conditional<S extends z.ZodTypeAny>(operation: string, path: string, item: S, query: Query, options: ConditionalOptions): Promise<Listing<z.output<S>>> {
    let pages = await this.walk(operation, path, item, query, !options.force);
    const changed = pages.some((page) => page.fresh);
    // A page that changed needs its neighbours' items too: read the whole listing again unless they are kept.
    if (changed && pages.some((page) => page.items === undefined)) pages = await this.walk(operation, path, item, query, false);
    return {
      items: pages.flatMap((page) => page.items ?? []),
      unchanged: !changed,
      commit: () => {
        for (const page of pages) {
          if (page.etag === null) continue;
          this.remembered.set(page.key, { etag: page.etag, next: page.next, ...(options.keepItems && page.items ? { items: page.items } : {}), pass: this.pass });
        }
      },
    };
  }

  private async walk<S extends z.ZodTypeAny>(operation: string, path: string, item: S, query: Query, conditional: boolean): Promise<ReadPage<z.output<S>>[]> {
    const schema = pageSchema(item);
    const pages: ReadPage<z.output<S>>[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const key = keyOf(path, query, cursor);
      const known = conditional ? this.remembered.get(key) : undefined;
      const answer: Answer<Page<z.output<S>>> = await this.client.readIfChanged(operation, path, schema, { ...query, limit: this.pageSize, cursor: cursor ?? undefined }, known?.etag);
      if (answer.kind === 'problem') throw listingRefused(operation, answer);
      const page: ReadPage<z.output<S>> =
        answer.kind === 'not-modified'
          ? { key, etag: known?.etag ?? null, next: known?.next ?? null, items: known?.items as readonly z.output<S>[] | undefined, fresh: false }
          : { key, etag: answer.etag, next: answer.value.next_cursor, items: answer.value.data, fresh: true };
      pages.push(page);
      cursor = page.next;
      if (cursor !== null && (seen.has(cursor) || pages.length >= maxPages)) {
        throw new MisResponseRejectedError(MisResponseRejection.malformed, `MedREST ${operation} keeps handing out cursors`, { details: { pages: pages.length } });
      }
      if (cursor !== null) seen.add(cursor);
    } while (cursor !== null);
    return pages;
  }
}

function keyOf(path: string, query: Query, cursor: string | null): string {
  const params = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${String(value)}`)
    .join('&');
  return `${path}?${params}#${cursor ?? ''}`;
}
