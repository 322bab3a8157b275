import type { FormEvent, KeyboardEvent, Ref } from 'react';
import { districtsOf, freeSlotsText, organisationName, type OrganisationView, type SlotSearchForm } from './booking.mapper';
import { usePractitioners, useSpecialties } from './booking.query';

interface Props {
  readonly form: SlotSearchForm;
  readonly organisations: readonly OrganisationView[];
  /** Every organisation of the region, whatever is chosen: the districts to choose from. */
  readonly region: readonly OrganisationView[];
  readonly firstField: Ref<HTMLSelectElement>;
  readonly onChange: (form: SlotSearchForm) => void;
  readonly onSubmit: () => void;
  readonly busy: boolean;
}

/**
 * Where, what, who and when. A wider choice clears the narrower ones it no longer contains (a new
 * district clears the organisation, a new organisation or specialty the practitioner).
 */
export function SearchForm({ form, organisations, region, firstField, onChange, onSubmit, busy }: Props) {
  const specialties = useSpecialties({ district: form.district || undefined, organisation: form.organisation || undefined });
  const practitioners = usePractitioners({ district: form.district || undefined, organisation: form.organisation || undefined, specialty: form.specialty || undefined });
  // From the whole region: a chosen district or specialty must not hide the other districts.
  const districts = districtsOf(region.length > 0 ? region : organisations);
  const inDistrict = form.district ? organisations.filter((o) => o.districtId === form.district) : organisations;
  const set = (patch: Partial<SlotSearchForm>) => onChange({ ...form, ...patch });
  const submit = (event: FormEvent | KeyboardEvent) => {
    event.preventDefault();
    onSubmit();
  };

  return (
    <form
      className="search-form panel"
      onSubmit={submit}
      // A select does not submit its form on Enter as an input does; the operator's Enter searches from any field.
      onKeyDown={(event) => {
        if (event.key === 'Enter' && event.target instanceof HTMLSelectElement) submit(event);
      }}
      role="search"
      aria-label="Поиск свободного времени"
    >
      <label>
        Район
        <select ref={firstField} data-testid="search-district" value={form.district} title="/ — к поиску" onChange={(e) => set({ district: e.target.value, organisation: '', practitioner: '' })}>
          <option value="">все районы</option>
          {districts.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Организация
        <select
          data-testid="search-organisation"
          value={form.organisation}
          onChange={(e) => set({ organisation: e.target.value, practitioner: '' })}
        >
          <option value="">все организации</option>
          {inDistrict.map((o) => (
            <option key={o.organisationOid} value={o.organisationOid}>
              {organisationName(o)}
              {o.freshness.stale ? ' ⚠' : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Специальность
        <select data-testid="search-specialty" value={form.specialty} onChange={(e) => set({ specialty: e.target.value, practitioner: '' })}>
          <option value="">все специальности</option>
          {(specialties.data?.items ?? []).map((s) => (
            <option key={s.nsiCode} value={s.nsiCode}>
              {s.name ?? s.nsiCode} ({freeSlotsText(s)})
            </option>
          ))}
        </select>
      </label>
      <label>
        Врач
        <select
          data-testid="search-practitioner"
          value={form.practitioner}
          disabled={!form.organisation && !form.specialty}
          title={!form.organisation && !form.specialty ? 'Сначала выберите организацию или специальность' : undefined}
          onChange={(e) => set({ practitioner: e.target.value })}
        >
          <option value="">все врачи</option>
          {(practitioners.data?.items ?? []).map((p) => (
            <option key={p.practitionerId} value={p.practitionerId}>
              {p.displayName ?? p.practitionerId}
              {form.organisation ? '' : ` — ${p.organisationName ?? p.organisationOid}`} ({freeSlotsText(p)})
            </option>
          ))}
        </select>
      </label>
      <div className="dates">
        <label>
          С
          <input data-testid="search-from" type="date" value={form.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          По
          <input data-testid="search-to" type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
      </div>
      <button type="submit" className="primary" data-testid="search-submit" disabled={busy} title="Enter">
        {busy ? 'Поиск…' : 'Найти'}
      </button>
    </form>
  );
}
