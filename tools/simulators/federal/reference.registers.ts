import { readFileSync } from 'node:fs';
import { z } from 'zod';
// Imported, not read at run time: the build bundles it into dist/federal-simulator/main.js.
import sampleNsi from './nsi.sample.json';

/** OIDs of the NSI dictionaries the federal side checks codes against. */
export const NsiDictionary = {
  specialties: '1.2.643.5.1.13.13.11.1066',
  positions: '1.2.643.5.1.13.13.11.1002',
} as const;

const oid = z.string().regex(/^[0-9]+(\.[0-9]+)+$/, 'expected a dotted OID');

/** `--frmo-file`: a JSON list of ФРМО OIDs. */
export const frmoFileSchema = z.array(oid);

/** `--nsi-file` and nsi.sample.json: dictionaries by OID, each a map code -> name. */
export const nsiFileSchema = z.object({
  about: z.string().optional(),
  dictionaries: z.record(oid, z.object({ name: z.string().optional(), codes: z.record(z.string().min(1), z.string()) })),
});
export type NsiFile = z.infer<typeof nsiFileSchema>;

function readJson<T>(path: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`the ${what} ${path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * What the federal side knows to check items against: the ФРМО register of organisations and the
 * NSI dictionaries of specialties (1066) and positions (1002).
 */
export class ReferenceRegisters {
  private readonly frmo = new Set<string>();
  private readonly specialties: ReadonlySet<string>;
  private readonly positions: ReadonlySet<string>;

  constructor(nsi: NsiFile, frmo: Iterable<string> = []) {
    this.specialties = new Set(Object.keys(nsi.dictionaries[NsiDictionary.specialties]?.codes ?? {}));
    this.positions = new Set(Object.keys(nsi.dictionaries[NsiDictionary.positions]?.codes ?? {}));
    this.addOrganisations(frmo);
  }

  /**
   * The sample dictionaries, each replaced by the same dictionary of `nsiFile` when given, and the
   * ФРМО OIDs of `frmoFile`.
   */
  static load(files: { nsiFile?: string | undefined; frmoFile?: string | undefined }): ReferenceRegisters {
    const sample = nsiFileSchema.parse(sampleNsi);
    const full = files.nsiFile === undefined ? undefined : readJson(files.nsiFile, nsiFileSchema, 'NSI file');
    const frmo = files.frmoFile === undefined ? [] : readJson(files.frmoFile, frmoFileSchema, 'ФРМО file');
    return new ReferenceRegisters({ dictionaries: { ...sample.dictionaries, ...full?.dictionaries } }, frmo);
  }

  /** Adds organisations to the ФРМО register; answers how many were new. */
  addOrganisations(oids: Iterable<string>): number {
    const before = this.frmo.size;
    for (const value of oids) this.frmo.add(value);
    return this.frmo.size - before;
  }

  organisations(): string[] {
    return [...this.frmo].sort();
  }

  knowsOrganisation(oid: string): boolean {
    return this.frmo.has(oid);
  }

  knowsSpecialty(code: string): boolean {
    return this.specialties.has(code);
  }

  knowsPosition(code: string): boolean {
    return this.positions.has(code);
  }

  sizes(): { frmo: number; specialties: number; positions: number } {
    return { frmo: this.frmo.size, specialties: this.specialties.size, positions: this.positions.size };
  }
}
