import type { HubError, MethodResult } from './hubservice.types';

/**
 * HubService `IdError` values with symbolic names. No public list exists; this is the numeric set
 * the Russian booking ecosystem's integration servers used (shared/domain/hubservice.md).
 */
export const HubErrorCode = {
  PatientNotRegistered: 200,
  PatientAmbiguous: 201,
  PatientNotFound: 302,
  PatientDoesNotFitDoctor: 304,
  NoScheduleOnDate: 305,
  NoAppointmentAtTime: 306,
  PatientAlreadyBooked: 307,
  SlotTaken: 308,
  BookingNotFound: 309,
  PatientNotAttached: 310,
  AttachmentDoesNotCoverService: 311,
  WaitlistRefused: 400,
} as const;

export type HubErrorCode = (typeof HubErrorCode)[keyof typeof HubErrorCode];
export type HubErrorName = keyof typeof HubErrorCode;

/** Default Russian wording of each code, as a clinic's integration server would word it. */
export const hubErrorDescriptions = {
  200: 'Пациент не зарегистрирован в медицинской организации',
  201: 'Найдено более одного пациента',
  302: 'Пациент с указанным идентификатором не найден',
  304: 'Пациент не соответствует ограничениям врача по полу или возрасту',
  305: 'У врача нет расписания на указанную дату',
  306: 'Нет талона на указанное время',
  307: 'Пациент уже записан к этому врачу на это время',
  308: 'Талон уже занят',
  309: 'Запись не найдена',
  310: 'Пациент не прикреплён к медицинской организации',
  311: 'Прикрепление не распространяется на услугу',
  400: 'Отказ в постановке в лист ожидания',
} as const satisfies Record<HubErrorCode, string>;

const names = new Map<number, HubErrorName>(Object.entries(HubErrorCode).map(([name, code]) => [code, name as HubErrorName]));

/** The symbolic name of a code, or undefined for a code outside the table. */
export function hubErrorName(code: number): HubErrorName | undefined {
  return names.get(code);
}

/** A successful envelope echoing `idHistory`. */
export function hubSuccess(idHistory?: number): MethodResult {
  return idHistory === undefined ? { Success: true } : { Success: true, IdHistory: idHistory };
}

/** A failed envelope with one error; the description defaults to the table's wording. */
export function hubFailure(code: HubErrorCode, idHistory?: number, description?: string): MethodResult {
  const error: HubError = { IdError: code, ErrorDescription: description ?? hubErrorDescriptions[code] };
  return idHistory === undefined ? { Success: false, ErrorList: [error] } : { Success: false, ErrorList: [error], IdHistory: idHistory };
}
