/**
 * Pure rules of the call card: how its facts read, and how the identification form becomes the
 * body of booking's `POST v1/patients/identify`. The form's values are a patient's documents: they
 * leave this module only as that body (never a URL, storage or a log), and a problem names the
 * field, never its value.
 */

/** A call connected to the operator's seat, as the console's backend gives it (number already masked per role). */
export interface CardCall {
  readonly uniqueid: string;
  readonly branch: string;
  readonly queue: string;
  readonly callerNumber: string | null;
  readonly connectedAt: string;
}

export interface EarlierCall {
  readonly uniqueid: string;
  readonly branch: string;
  readonly joinedAt: string;
  readonly outcome: 'ANSWERED' | 'ABANDONED';
  readonly holdSeconds: number | null;
  readonly talkSeconds: number | null;
}

export interface CardCallback {
  readonly id: string;
  readonly branch: string;
  readonly status: string;
  readonly lostCalls: number;
  readonly createdAt: string;
}

export interface CardAppeal {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly deadline: string | null;
  readonly createdAt: string;
}

/** `GET /console/api/cards/:uniqueid` (console contract). */
export interface CallCard {
  readonly call: CardCall;
  readonly earlierCalls: readonly EarlierCall[];
  readonly callbacks: readonly CardCallback[];
  readonly appeals: readonly CardAppeal[];
}

/** "2:05", "1:02:05"; "—" when unknown. */
export function durationText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export const outcomeText = (outcome: string): string => (outcome === 'ANSWERED' ? 'принят' : outcome === 'ABANDONED' ? 'потерян' : outcome);

const callbackStatuses: Record<string, string> = { OPEN: 'ждёт перезвона', DIALLING: 'идёт перезвон', DONE: 'выполнен', UNREACHED: 'не дозвонились' };
export const callbackStatusText = (status: string): string => callbackStatuses[status] ?? status;

const appealStatuses: Record<string, string> = {
  REGISTERED: 'зарегистрировано',
  IN_PROGRESS: 'в работе',
  SECOND_LINE: 'на второй линии',
  RESOLVED: 'решено',
  CLOSED: 'закрыто',
};
export const appealStatusText = (status: string): string => appealStatuses[status] ?? status;

/** "нет номера" when the PBX gave none (a withheld number). */
export const callerNumberText = (number: string | null): string => number ?? 'номер скрыт';

/** The identification form as the operator typed it. */
export interface IdentifyForm {
  readonly organisationOid: string;
  readonly policyNumber: string;
  readonly snils: string;
  readonly surname: string;
  readonly firstName: string;
  readonly patronymic: string;
  readonly birthDate: string;
}

export const emptyIdentifyForm: IdentifyForm = { organisationOid: '', policyNumber: '', snils: '', surname: '', firstName: '', patronymic: '', birthDate: '' };

/**
 * What identifies the patient, without the organisation: kept (in React state only) to identify the
 * same person at another organisation's MIS when the operator books there.
 */
export interface PatientDocuments {
  readonly policyNumber?: string;
  readonly snils?: string;
  readonly surname?: string;
  readonly firstName?: string;
  readonly patronymic?: string;
  readonly birthDate?: string;
}

export type IdentifyBody = PatientDocuments & { readonly organisationOid: string; readonly register: false };

export type IdentifyParse = { readonly ok: true; readonly documents: PatientDocuments } | { readonly ok: false; readonly problem: string };

const digits = (text: string) => text.replace(/\D/g, '');

/**
 * The documents to identify by, the strongest given first: the ЕНП policy (16 digits), else SNILS
 * (11 digits), else surname + first name + birth date (patronymic when given). Spaces and dashes
 * the operator types in a number are dropped.
 */
export function documentsOf(form: IdentifyForm, today: string): IdentifyParse {
  const policy = digits(form.policyNumber);
  const snils = digits(form.snils);
  if (form.policyNumber.trim()) {
    if (policy.length !== 16) return { ok: false, problem: 'Полис ОМС (ЕНП) — 16 цифр.' };
    return { ok: true, documents: { policyNumber: policy } };
  }
  if (form.snils.trim()) {
    if (snils.length !== 11) return { ok: false, problem: 'СНИЛС — 11 цифр.' };
    return { ok: true, documents: { snils } };
  }
  const surname = form.surname.trim();
  const firstName = form.firstName.trim();
  const patronymic = form.patronymic.trim();
  const birthDate = form.birthDate.trim();
  if (!surname && !firstName && !birthDate) return { ok: false, problem: 'Укажите полис ОМС, СНИЛС или фамилию, имя и дату рождения.' };
  if (!surname || !firstName || !birthDate) return { ok: false, problem: 'Для поиска по ФИО нужны фамилия, имя и дата рождения.' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || Number.isNaN(Date.parse(birthDate)) || birthDate > today) {
    return { ok: false, problem: 'Дата рождения указана неверно.' };
  }
  if (surname.length > 100 || firstName.length > 100 || patronymic.length > 100) return { ok: false, problem: 'ФИО слишком длинное.' };
  return { ok: true, documents: patronymic ? { surname, firstName, patronymic, birthDate } : { surname, firstName, birthDate } };
}

/** The identify body at one organisation; never registers the patient (the console only finds). */
export function identifyBodyOf(organisationOid: string, documents: PatientDocuments): IdentifyBody {
  return { ...documents, organisationOid, register: false };
}

/** How the identification was made, without its values: "по полису ОМС". */
export function identifiedByText(documents: PatientDocuments): string {
  if (documents.policyNumber) return 'по полису ОМС';
  if (documents.snils) return 'по СНИЛС';
  return 'по ФИО и дате рождения';
}
