import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { AppError } from '@medbus/errors';
import { assertSafeXml, SafeXmlCode } from '@medbus/hubservice';
import { MisResponseRejectedError, MisResponseRejection } from '@medbus/mis-adapter-kit';
import { dumpKinds, type DumpKind } from './dump/dump.types';

/** One `<Dump>` line of the vendor's `index.xml`. */
export interface DumpIndexEntry {
  readonly name: string;
  readonly kind: DumpKind;
  readonly seq: number;
  readonly size: number;
  readonly sha256: string;
  /** ISO 8601 with offset, as the vendor wrote it. */
  readonly generated: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'Dump',
});

const entrySchema = z
  .object({
    '@_name': z.string().regex(/^(full|partial)-\d{1,15}\.xml$/),
    '@_kind': z.enum(dumpKinds),
    '@_seq': z.string().regex(/^\d{1,15}$/).transform(Number),
    '@_size': z.string().regex(/^\d{1,15}$/).transform(Number),
    '@_sha256': z.string().regex(/^[0-9a-fA-F]{64}$/).transform((hex) => hex.toLowerCase()),
    '@_generated': z.string().refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 time'),
  })
  .refine((e) => e['@_name'] === `${e['@_kind']}-${e['@_seq']}.xml`, 'a dump is named <kind>-<seq>.xml');

const indexSchema = z.object({ DumpIndex: z.union([z.literal(''), z.object({ Dump: z.array(entrySchema).max(100_000).default([]) })]) });

/**
 * The vendor's `index.xml` read safely (size, no DTD, well-formed) and checked entry by entry:
 * the dumps it lists, in seq order. Anything else is refused with `MisResponseRejectedError`.
 */
export function parseDumpIndex(body: Buffer | string, maxBytes: number): DumpIndexEntry[] {
  let xml: string;
  try {
    xml = assertSafeXml(body, { maxBytes, maxDepth: 4 });
  } catch (error) {
    const reason = error instanceof AppError && error.code === SafeXmlCode.bodyTooLarge ? MisResponseRejection.tooLarge : error instanceof AppError && error.code === SafeXmlCode.dtdForbidden ? MisResponseRejection.dtd : MisResponseRejection.malformed;
    throw new MisResponseRejectedError(reason, 'XMLDump index.xml is XML we refuse', { cause: error });
  }
  const parsed = indexSchema.safeParse(parser.parse(xml));
  if (!parsed.success) throw new MisResponseRejectedError(MisResponseRejection.invalidShape, 'XMLDump index.xml is not a DumpIndex of dump entries');
  const dumps = parsed.data.DumpIndex === '' ? [] : parsed.data.DumpIndex.Dump;
  return dumps
    .map((d) => ({ name: d['@_name'], kind: d['@_kind'], seq: d['@_seq'], size: d['@_size'], sha256: d['@_sha256'], generated: d['@_generated'] }))
    .sort((a, b) => a.seq - b.seq);
}

/** What the adapter did with a dump: applied it, or refused it as a whole (its bytes were the vendor's, its content broken). */
export interface HandledDump {
  readonly seq: number;
  readonly sha256: string;
}

/**
 * The dumps to apply now, in order: the newest full dump unless it was handled, then every
 * partial after it not handled yet. A dump counts as handled by seq and content, so a vendor that
 * starts its numbering again is read anew. Reasserting takes the newest full dump and its partials
 * again, handled or not. Older dumps are never needed: the newest full one lists everything.
 */
export function pendingDumps(index: readonly DumpIndexEntry[], handled: readonly HandledDump[], reassert = false): DumpIndexEntry[] {
  const full = index.filter((e) => e.kind === 'full').at(-1);
  if (!full) return [];
  const partials = index.filter((e) => e.kind === 'partial' && e.seq > full.seq);
  const isHandled = (entry: DumpIndexEntry) => handled.some((h) => h.seq === entry.seq && h.sha256 === entry.sha256);
  if (reassert || !isHandled(full)) return [full, ...partials];
  return partials.filter((p) => !isHandled(p));
}
