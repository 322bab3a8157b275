/** SNILS check number (Пенсионный фонд rule): weights 9..1, mod 101, 100 and 101 read as 00; numbers up to 001-001-998 have none. */
export function isValidSnils(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const number = digits.slice(0, 9);
  if (Number(number) <= 1_001_998) return true;
  const sum = [...number].reduce((acc, d, i) => acc + Number(d) * (9 - i), 0);
  const check = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return check === Number(digits.slice(9));
}

/** SNILS as HubService MIS products store it: `XXX-XXX-XXX YY`. */
export function formatSnils(digits: string): string {
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9, 11)}`;
}

/**
 * A SNILS as an MIS wrote it (`XXX-XXX-XXX YY`, or any usual punctuation) as its 11 digits, or null
 * when it is not 11 digits in the usual groups or its check number is wrong.
 */
export function snilsDigitsOf(text: string): string | null {
  if (!/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/.test(text.trim())) return null;
  const digits = text.replace(/\D/g, '');
  return isValidSnils(digits) ? digits : null;
}
