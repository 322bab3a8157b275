import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { organisationName, type OrganisationView } from '../booking/booking.mapper';
import { Refusal } from '../api/refusal.view';
import { documentsOf, emptyIdentifyForm, type IdentifyForm } from './call-card.mapper';
import { usePatient } from './patient.context';

const todayInMoscow = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(new Date());

/**
 * Finds the caller at the MIS of the organisation he is attached to: by ЕНП policy, else SNILS, else
 * name and birth date. The values stay in this form's state and the patient context; they go to the
 * booking API in a request body only.
 */
export function IdentifyPatient({ organisations }: { organisations: readonly OrganisationView[] }) {
  const patient = usePatient();
  // Back on the card, the organisation of the identified patient is chosen again (his documents are not kept in the form).
  const [form, setForm] = useState<IdentifyForm>(() => ({ ...emptyIdentifyForm, organisationOid: patient.primary?.organisationOid ?? '' }));
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<IdentifyForm>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (event: FormEvent | KeyboardEvent) => {
    event.preventDefault();
    setError(null);
    if (!form.organisationOid) {
      setProblem('Выберите организацию, к которой прикреплён пациент.');
      return;
    }
    const parsed = documentsOf(form, todayInMoscow());
    if (!parsed.ok) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await patient.identify(form.organisationOid, parsed.documents);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const attachedTo = patient.primary ? organisations.find((o) => o.organisationOid === patient.primary?.organisationOid) : undefined;

  return (
    <form
      className="panel identify"
      onSubmit={(e) => void submit(e)}
      // A select does not submit its form on Enter as an input does.
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target instanceof HTMLSelectElement) void submit(e);
      }}
      aria-label="Идентификация пациента"
      autoComplete="off"
    >
      <h2>Пациент</h2>
      <label className="wide">
        Организация прикрепления
        <select data-testid="identify-organisation" value={form.organisationOid} onChange={(e) => set({ organisationOid: e.target.value })}>
          <option value="">— выберите —</option>
          {organisations.map((o) => (
            <option key={o.organisationOid} value={o.organisationOid}>
              {organisationName(o)}
            </option>
          ))}
        </select>
      </label>
      <div className="grid2">
        <label>
          Полис ОМС (ЕНП)
          <input data-testid="identify-policy" inputMode="numeric" maxLength={20} value={form.policyNumber} onChange={(e) => set({ policyNumber: e.target.value })} />
        </label>
        <label>
          СНИЛС
          <input data-testid="identify-snils" inputMode="numeric" maxLength={14} value={form.snils} onChange={(e) => set({ snils: e.target.value })} />
        </label>
      </div>
      <div className="grid3">
        <label>
          Фамилия
          <input data-testid="identify-last-name" maxLength={100} value={form.surname} onChange={(e) => set({ surname: e.target.value })} />
        </label>
        <label>
          Имя
          <input data-testid="identify-first-name" maxLength={100} value={form.firstName} onChange={(e) => set({ firstName: e.target.value })} />
        </label>
        <label>
          Отчество
          <input data-testid="identify-middle-name" maxLength={100} value={form.patronymic} onChange={(e) => set({ patronymic: e.target.value })} />
        </label>
      </div>
      <div className="row">
        <label>
          Дата рождения
          <input data-testid="identify-birth-date" type="date" value={form.birthDate} onChange={(e) => set({ birthDate: e.target.value })} />
        </label>
        <button type="submit" className="primary" data-testid="identify-submit" disabled={busy} title="Enter">
          {busy ? 'Поиск в МИС…' : 'Найти пациента'}
        </button>
        {patient.primary && (
          <button
            type="button"
            onClick={() => {
              patient.forget();
              setForm(emptyIdentifyForm);
            }}
          >
            Другой пациент
          </button>
        )}
      </div>
      {problem && <p className="refusal">{problem}</p>}
      {error !== null && <Refusal error={error} />}
      {patient.primary && (
        <p className="ok" data-testid="patient-identified" data-patient-id={patient.primary.patientId}>
          Пациент найден {patient.identifiedBy} в {attachedTo ? organisationName(attachedTo) : patient.primary.organisationOid}
          {patient.primary.attached === false ? ' (не прикреплён)' : ''}.
        </p>
      )}
    </form>
  );
}
