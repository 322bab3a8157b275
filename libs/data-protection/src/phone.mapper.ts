/**
 * A Russian phone number as digits only, country code 7: `8 918 123-45-67`, `+7 (918) 123 45 67`
 * and `9181234567` all give `79181234567`. Undefined when there is no digit at all (the PBX's
 * `anonymous`, `<unknown>`, an empty caller id). Other lengths are kept as their digits.
 */
export function normalisePhone(raw: string): string | undefined {
  const digits = raw.replace(/\D/g, '');
  if (digits === '') return undefined;
  if (digits.length === 11 && digits.startsWith('8')) return `7${digits.slice(1)}`;
  if (digits.length === 10) return `7${digits}`;
  return digits;
}

/**
 * A number as staff may see it without the right to read numbers: `79181234567` → `+7 9** ***-**-67`
 * (the operator's first digit and the last two). Other shapes keep only their last two digits.
 */
export function maskPhone(raw: string): string {
  const digits = normalisePhone(raw);
  if (digits === undefined) return '';
  if (digits.length === 11 && digits.startsWith('7')) return `+7 ${digits[1]}** ***-**-${digits.slice(9)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}
