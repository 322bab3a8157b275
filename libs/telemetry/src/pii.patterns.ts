/** What replaces a value that is, or may be, patient data. */
export const REDACTED = '[REDACTED]';

/**
 * Patient identifiers recognised by their shape, wherever they appear in a string.
 *
 * Digit runs must not touch a letter, digit or dot, so that OIDs
 * (`1.2.643.5.1.13.13.11.1066`), slot ids (`…12.2.23.1234:777`), UUIDs and hex trace ids
 * survive. Global expressions: use them with `String.prototype.replace`, not `test`.
 */
export const piiPatterns = {
  /** СНИЛС written with separators: `112-233-445 95`. */
  snils: /(?<![\w.])\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}(?!\w|\.\d)/g,
  /** Russian phone numbers: `+7 916 123-45-67`, `8 (916) 123-45-67`, `%2B79161234567` in URLs. */
  phone: /(?:(?:\+|%2B)7|(?<![\w.+])8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\w|\.\d)/g,
  /** ЕНП (the 16-digit OMS policy number), also in groups of four. */
  enp: /(?<![\w.])\d{4} ?\d{4} ?\d{4} ?\d{4}(?!\w|\.\d)/g,
  /** Eleven bare digits: an unformatted СНИЛС or a phone without its `+`. */
  elevenDigits: /(?<![\w.])\d{11}(?!\w|\.\d)/g,
  email: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu,
} as const;

// Key parts that always name patient data or a credential, wherever the key sits.
const sensitiveParts = new Set([
  'snils',
  'enp',
  'policy',
  'polis',
  'oms',
  'passport',
  'dob',
  'mobile',
  'tel',
  'msisdn',
  'mail',
  'fio',
  'authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'снилс',
  'енп',
  'полис',
  'фио',
  'фамилия',
  'имя',
  'отчество',
]);

// Matched within the key with separators removed (`Cell_Phone` → `cellphone`).
const sensitiveStems = [
  'snils',
  'phone',
  'birth',
  'email',
  'firstname',
  'lastname',
  'middlename',
  'secondname',
  'fullname',
  'givenname',
  'familyname',
  'surname',
  'patronymic',
  'passport',
  'apikey',
  'телефон',
  'рожден',
];

// Under these every value but an identifier is patient data (`patient.name`, HubService's `namePat`).
const patientParts = new Set(['patient', 'patients', 'pat', 'person', 'citizen', 'пациент']);
const identifierParts = new Set(['id', 'ids', 'guid', 'uuid']);

// Query parameters from pg's enhanced reporting: off, but never exported if someone turns it on.
const sqlParameterKey = /^db\.(postgresql\.values|query\.parameter\.)/;

/** Attribute keys whose values are SQL: their string literals are dropped. */
export const sqlTextKeys: ReadonlySet<string> = new Set(['db.statement', 'db.query.text']);

// `patient.birthDate` → patient, birth, date; `IdPat` → id, pat; `Дата_рождения` → дата, рождения.
function partsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part !== '');
}

export interface KeyVerdict {
  /** The value under this key is patient data or a secret, whatever it looks like. */
  readonly sensitive: boolean;
  /** The key is about a patient: its descendants are patient data unless identifiers. */
  readonly patient: boolean;
  /** The key names an identifier (`patientId`, `IdPat`), kept even about a patient. */
  readonly identifier: boolean;
}

/** How a key (an attribute name, object property, query parameter or XML element) is treated. */
export function classifyKey(key: string): KeyVerdict {
  const parts = partsOf(key);
  const compact = parts.join('');
  const sensitive =
    sqlParameterKey.test(key) ||
    parts.some((part) => sensitiveParts.has(part)) ||
    sensitiveStems.some((stem) => compact.includes(stem));
  return {
    sensitive,
    patient: parts.some((part) => patientParts.has(part)),
    identifier: parts.some((part) => identifierParts.has(part)),
  };
}
