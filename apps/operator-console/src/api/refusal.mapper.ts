/** A refusal as the API gave it: its stable code and, when it has one, its HTTP status. */
export interface Refusal {
  readonly code: string;
  readonly status?: number;
}

/**
 * Every refusal of our APIs in words an operator can say to a patient or act on. The code stays the
 * API's (shown beside the text, data-code in the page); an unknown code falls back to its class.
 */
const texts: Record<string, string> = {
  'CONSOLE.LOGIN_FAILED': 'Ключ не принят: проверьте его или обратитесь к администратору.',
  'CONSOLE.ROLE_NOT_ALLOWED': 'Этим ключом нельзя войти в рабочее место контакт-центра.',
  'CONSOLE.INVALID_SEAT': 'Рабочее место указано неверно (пример: PJSIP/sochi-op01); его указывает только оператор.',
  'CONSOLE.SEAT_OF_OTHER_BRANCH': 'Это рабочее место относится к другому филиалу.',
  'CONSOLE.TOO_MANY_ATTEMPTS': 'Слишком много попыток входа. Подождите минуту.',
  'CONSOLE.NO_SESSION': 'Сеанс завершён. Войдите снова.',
  'CONSOLE.CSRF': 'Запрос отклонён по соображениям безопасности. Обновите страницу.',
  'CONSOLE.NOT_PROXIED': 'Это действие недоступно из рабочего места.',
  'CONSOLE.BOOKING_UNAVAILABLE': 'Сервис записи сейчас недоступен. Повторите через минуту.',
  'CONSOLE.UNKNOWN_CALL': 'Звонок не найден или был на другом рабочем месте.',
  'CONSOLE.NETWORK': 'Нет связи с сервером. Проверьте сеть и повторите.',
  'CONSOLE.TIMEOUT': 'Сервер не ответил вовремя. Повторите.',
  'CONSOLE.PATIENT_NOT_IDENTIFIED': 'Сначала идентифицируйте пациента в карточке звонка (Alt+1): без этого записать нельзя.',
  'BOOKING.INVALID_CURSOR': 'Результаты поиска устарели. Повторите поиск.',
  'AUTH.FORBIDDEN': 'Недостаточно прав для этого действия.',
  'AUTH.FOREIGN_ORGANISATION': 'Нет прав действовать от имени этой организации.',
  'AUTH.INTROSPECTION_UNAVAILABLE': 'Не удаётся проверить доступ: сервис записи недоступен.',
  'AUTH.CREDENTIAL_EXPIRED': 'Срок действия ключа истёк.',
  'AUTH.CREDENTIAL_REVOKED': 'Ключ отозван.',
  'REQUEST.VALIDATION': 'Проверьте заполнение полей.',
  'REQUEST.NUL_BYTE': 'В запросе недопустимые символы.',
  'BOOKING.SLOT_TAKEN': 'Это время уже занято. Выберите другое.',
  'BOOKING.SLOT_HELD': 'Это время сейчас удерживает другой оператор. Выберите другое или повторите позже.',
  'BOOKING.SLOT_RESERVED': 'Это время зарезервировано и недоступно для записи.',
  'BOOKING.SLOT_NOT_FOUND': 'Это время больше не существует в расписании.',
  'BOOKING.SLOT_IN_PAST': 'Это время уже прошло.',
  'BOOKING.SLOT_CLOSED_TO_CHANNEL': 'Это время закрыто для записи через контакт-центр.',
  'BOOKING.HOLD_EXPIRED': 'Удержание времени истекло. Выберите время снова.',
  'BOOKING.HOLD_NOT_FOUND': 'Удержание не найдено. Выберите время снова.',
  'BOOKING.PATIENT_ALREADY_BOOKED': 'Пациент уже записан к этому специалисту.',
  'BOOKING.PATIENT_NOT_ATTACHED': 'Пациент не прикреплён к этой организации, запись к этому специалисту невозможна.',
  'BOOKING.PATIENT_NOT_ELIGIBLE': 'Пациенту эта запись не положена (возраст, пол или направление).',
  'BOOKING.PATIENT_NOT_FOUND': 'Пациент не найден.',
  'BOOKING.PATIENT_OF_OTHER_ORGANISATION': 'Пациент идентифицирован в другой организации: идентифицируйте его заново.',
  'BOOKING.SPECIALTY_NOT_PROVIDED': 'Организация не ведёт приём по этой специальности.',
  'BOOKING.ORGANISATION_NOT_SERVED': 'Организация не подключена к записи.',
  'BOOKING.MIS_REFUSED': 'МИС поликлиники отказала в записи.',
  'BOOKING.MIS_DEADLINE_EXCEEDED': 'МИС поликлиники не ответила вовремя. Запись не подтверждена: проверьте позже.',
  'BOOKING.APPOINTMENT_NOT_FOUND': 'Запись не найдена.',
  'BOOKING.APPOINTMENT_NOT_ACTIVE': 'Запись уже отменена или завершена.',
  'BOOKING.CLIENT_LIMIT_REACHED': 'Достигнут предел одновременных удержаний. Завершите начатые.',
  'BOOKING.RATE_LIMITED': 'Слишком много запросов. Повторите через несколько секунд.',
  'BOOKING.INVALID_QUERY': 'Неверные условия поиска.',
  'BOOKING.INVALID_REQUEST': 'Неверно заполнен запрос.',
  'BOOKING.IDEMPOTENCY_KEY_REUSED': 'Повтор уже выполненного действия с другими данными.',
  'PATIENT.NOT_FOUND': 'Пациент не найден в МИС поликлиники. Проверьте данные.',
  'PATIENT.AMBIGUOUS': 'Найдено несколько пациентов: уточните данные (полис или СНИЛС).',
  'PATIENT.MIS_DOWN': 'МИС поликлиники недоступна: идентифицировать пациента сейчас нельзя.',
  'PATIENT.MIS_UNAVAILABLE': 'МИС поликлиники недоступна: идентифицировать пациента сейчас нельзя.',
  'PATIENT.ORGANISATION_NOT_SERVED': 'Организация не подключена к записи.',
  'PATIENT.QUERY_INVALID': 'Укажите полис ОМС, СНИЛС или ФИО с датой рождения.',
  'MIS.UNAVAILABLE': 'МИС поликлиники недоступна.',
  'WAITLIST.ALREADY_WAITING': 'Пациент уже в листе ожидания к этому специалисту.',
  'CC.APPEAL_FORBIDDEN': 'Нет прав на это обращение.',
  'CC.APPEAL_NOT_FOUND': 'Обращение не найдено.',
  'CC.APPEAL_TRANSITION_NOT_ALLOWED': 'Это действие с обращением сейчас недоступно.',
  'CC.APPEAL_TYPE_INACTIVE': 'Этот тип обращений больше не используется.',
  'CC.APPEAL_TYPE_NOT_FOUND': 'Тип обращения не найден.',
  'CC.INVALID_APPEAL_REQUEST': 'Проверьте заполнение обращения.',
  'CC.BRANCH_FORBIDDEN': 'Данные другого филиала недоступны.',
  'CC.CALLBACK_CLAIMED': 'Этот перезвон уже взял другой оператор.',
  'CC.CALLBACK_CLOSED': 'Этот перезвон уже закрыт.',
  'CC.CALLBACK_ATTEMPT_RUNNING': 'Звонок по этой задаче уже идёт.',
  'CC.CALLBACK_NOT_FOUND': 'Задача перезвона не найдена.',
  'CC.CALLBACK_OTHER_BRANCH': 'Задача относится к другому филиалу.',
  'CC.CALL_NOT_FOUND': 'Звонок не найден.',
  'CC.KB_ARTICLE_NOT_FOUND': 'Статья не найдена.',
  'CC.INVALID_KNOWLEDGE_REQUEST': 'Неверный запрос к базе знаний: сократите или уточните его.',
  'CC.IDEMPOTENCY_KEY_REUSED': 'Это обращение уже отправлено с другими данными. Обновите список.',
  'CC.INVALID_QUERY': 'Неверные условия отбора.',
  'CC.INVALID_STATISTICS_QUERY': 'Неверный период отчёта.',
  'CC.BOOKING_UNREACHABLE': 'Сервис записи недоступен.',
};

export function refusalText(refusal: Refusal): string {
  const text = texts[refusal.code];
  if (text) return text;
  if (refusal.status === 0) return texts['CONSOLE.NETWORK'];
  if (refusal.status !== undefined && refusal.status >= 500) return 'Сбой на сервере. Повторите позже; если повторится — сообщите администратору.';
  if (refusal.status === 403) return texts['AUTH.FORBIDDEN'];
  if (refusal.status === 404) return 'Не найдено.';
  return 'Действие не выполнено.';
}
