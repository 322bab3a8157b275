import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { appointmentsKey } from '../call/call.query';
import { patientNotIdentified, usePatient } from '../call/patient.context';
import { ApiError } from '../api/http.client';
import { AppointmentActions, StatusBadge, useCanBook } from './appointment.view';
import { emptySearch, searchProblem, slotTimeText, waitlistIntervalOf, type AppointmentView, type HoldView, type SlotSearchForm, type SlotView } from './booking.mapper';
import { addToWaitlist, bookSlot, releaseHold, rescheduleAppointment, settleAppointment, takeHold, useOrganisations, useSlotSearch, type WaitlistEntry } from './booking.query';
import { OrganisationList } from './organisations.view';
import { SearchForm } from './search-form.view';
import { Refusal, rejectionError } from '../api/refusal.view';
import { SlotList, type SlotMode } from './slot-list.view';
import './booking.css';

/** A hold is worth reusing until shortly before it expires (the booking would then refuse HOLD_EXPIRED). */
const holdMarginMs = 5_000;

export function BookingPage() {
  const canBook = useCanBook();
  const patient = usePatient();
  const queries = useQueryClient();
  const [form, setForm] = useState<SlotSearchForm>(emptySearch);
  const [search, setSearch] = useState<{ form: SlotSearchForm; serial: number } | null>(null);
  const [holds, setHolds] = useState<ReadonlyMap<string, HoldView>>(new Map());
  const [busySlot, setBusySlot] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** Where a refusal came from, when the code alone would mislead (the patient looked up at another clinic). */
  const [errorNote, setErrorNote] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<AppointmentView | null>(null);
  /** The slot the confirmation is for: its doctor and clinic, which the appointment names only by id. */
  const [confirmedSlot, setConfirmedSlot] = useState<SlotView | null>(null);
  const [confirming, setConfirming] = useState<SlotView | null>(null);
  const [waitlisted, setWaitlisted] = useState<WaitlistEntry | null>(null);
  const firstField = useRef<HTMLSelectElement>(null);
  const list = useRef<HTMLTableSectionElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const focusResults = useRef(false);
  const gone = useRef(false);

  const organisations = useOrganisations({ district: form.district || undefined, specialty: form.specialty || undefined });
  const allOrganisations = useOrganisations();
  const slots = useSlotSearch(search);
  const found = useMemo(() => slots.data?.pages.flatMap((p) => p.items) ?? [], [slots.data]);
  const rescheduling = patient.rescheduling;
  const mode: SlotMode = !canBook ? 'search' : rescheduling ? 'reschedule' : 'book';

  const districtNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const o of allOrganisations.data?.items ?? []) if (o.districtId) names.set(o.districtId, o.districtName ?? o.districtId);
    return names;
  }, [allOrganisations.data]);
  const districtName = useCallback((id: string | null) => (id ? (districtNames.get(id) ?? id) : '—'), [districtNames]);

  useEffect(() => {
    gone.current = false;
    return () => {
      gone.current = true;
    };
  }, []);

  // Moving an appointment stays at its organisation (booking's patient id is the organisation's).
  // Entering the mode searches that organisation at once: the operator is choosing among its times only.
  useEffect(() => {
    if (!rescheduling) return;
    const next = (f: SlotSearchForm): SlotSearchForm => ({ ...f, organisation: rescheduling.organisationOid, district: '', practitioner: '' });
    setForm(next);
    setSearch((s) => ({ form: next(s?.form ?? emptySearch), serial: (s?.serial ?? 0) + 1 }));
  }, [rescheduling]);

  useEffect(() => {
    if (focusResults.current && found.length > 0) {
      focusResults.current = false;
      list.current?.querySelector<HTMLTableRowElement>('tr')?.focus();
    }
  }, [found]);

  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);

  const problem = searchProblem(form);
  const submit = () => {
    if (problem) return;
    focusResults.current = true;
    setError(null);
    setSearch((s) => ({ form, serial: (s?.serial ?? 0) + 1 }));
  };

  /** The operator's hold on the slot, taken now unless one is still good; `fresh` says it was taken by this action. */
  const heldFor = async (slot: SlotView): Promise<HoldView & { fresh: boolean }> => {
    const held = holds.get(slot.slotId);
    if (held && Date.parse(held.expiresAt) - Date.now() > holdMarginMs) return { ...held, fresh: false };
    const hold = await takeHold(slot.slotId);
    setHolds((h) => new Map(h).set(slot.slotId, hold));
    return { ...hold, fresh: true };
  };

  /** A hold taken only to book, which the booking refused: the slot goes back to the others at once, not at its expiry. */
  const giveBack = (hold: HoldView & { fresh: boolean }) => {
    if (!hold.fresh) return;
    dropHold(hold.slotId);
    void releaseHold(hold.holdId).catch(() => undefined);
  };

  const dropHold = (slotId: string) =>
    setHolds((h) => {
      const next = new Map(h);
      next.delete(slotId);
      return next;
    });

  /** Runs one slot action, showing its refusal; a changed slot leaves the results when they are read again. */
  const act = async (slot: SlotView, action: () => Promise<void>) => {
    setBusySlot(slot.slotId);
    setError(null);
    setErrorNote(null);
    setConfirming(null);
    try {
      await action();
    } catch (failure) {
      if (!gone.current) setError(failure);
    } finally {
      if (!gone.current) setBusySlot(null);
    }
  };

  const settle = async (first: AppointmentView, slot: SlotView) => {
    setConfirmation(first);
    setConfirmedSlot(slot);
    const settled = await settleAppointment(first, (view) => !gone.current && setConfirmation(view), () => gone.current);
    if (settled.status === 'REJECTED' && !gone.current) setError(rejectionError(settled.rejection ?? { code: 'BOOKING.MIS_REFUSED', message: '' }));
    void queries.invalidateQueries({ queryKey: appointmentsKey(settled.patientId) });
    void queries.invalidateQueries({ queryKey: ['booking', 'slots'] });
  };

  const hold = (slot: SlotView) =>
    act(slot, async () => {
      await heldFor(slot);
    });

  const book = (slot: SlotView) =>
    act(slot, async () => {
      if (!patient.primary) throw new ApiError(400, patientNotIdentified, 'identify the patient first');
      const patientId = await patient.patientAt(slot.organisationOid).catch((refusal: unknown) => {
        setErrorNote(`Пациента искали в МИС организации «${slot.organisationName ?? slot.organisationOid}», где находится это время.`);
        throw refusal;
      });
      const hold = await heldFor(slot);
      const first = await bookSlot({ slotId: slot.slotId, patientId, holdId: hold.holdId }).catch((refusal: unknown) => {
        giveBack(hold);
        throw refusal;
      });
      dropHold(slot.slotId);
      setWaitlisted(null);
      await settle(first, slot);
    });

  const rescheduleHere = (slot: SlotView) =>
    act(slot, async () => {
      if (!rescheduling) return;
      const hold = await heldFor(slot);
      const first = await rescheduleAppointment(rescheduling.appointmentId, { slotId: slot.slotId, holdId: hold.holdId }).catch((refusal: unknown) => {
        giveBack(hold);
        throw refusal;
      });
      dropHold(slot.slotId);
      patient.stopReschedule();
      void queries.invalidateQueries({ queryKey: appointmentsKey(rescheduling.patientId) });
      await settle(first, slot);
    });

  const waitlist = async () => {
    setError(null);
    setWaitlisted(null);
    try {
      if (!patient.primary) throw new ApiError(400, patientNotIdentified, 'identify the patient first');
      const organisationOid = search?.form.organisation || form.organisation;
      const patientId = await patient.patientAt(organisationOid);
      const chosen = search?.form ?? form;
      const entry = await addToWaitlist({
        patientId,
        organisationOid,
        ...(chosen.practitioner ? { resourceId: chosen.practitioner } : { specialtyCode: chosen.specialty }),
        preferredIntervals: [waitlistIntervalOf(chosen, new Date())],
        reason: found.length === 0 ? 'NO_FREE_SLOTS' : 'NO_CONVENIENT_TIME',
      });
      setWaitlisted(entry);
    } catch (failure) {
      setError(failure);
    }
  };

  // Keyboard: "/" to the search, Esc leaves the confirmation, then the rescheduling mode.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        firstField.current?.focus();
      } else if (event.key === 'Escape') {
        if (confirming) setConfirming(null);
        else if (rescheduling) patient.stopReschedule();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirming, rescheduling, patient]);

  const confirm = () => {
    if (!confirming) return;
    if (mode === 'reschedule' && confirming.organisationOid === rescheduling?.organisationOid) void rescheduleHere(confirming);
    else if (mode === 'book') void book(confirming);
  };

  const waitlistTarget = (search?.form ?? form).organisation && ((search?.form ?? form).specialty || (search?.form ?? form).practitioner);

  return (
    <section className="page booking-page">
      <div className="booking-left">
        <SearchForm
          form={form}
          organisations={organisations.data?.items ?? allOrganisations.data?.items ?? []}
          region={allOrganisations.data?.items ?? []}
          firstField={firstField}
          onChange={setForm}
          onSubmit={submit}
          busy={slots.isFetching && !slots.isFetchingNextPage}
        />
        {problem && <p className="refusal">{problem}</p>}
        <OrganisationList
          organisations={organisations.data?.items ?? []}
          selected={form.organisation}
          onSelect={(o) => setForm((f) => ({ ...f, organisation: o.organisationOid, practitioner: '' }))}
        />
        {organisations.error && <Refusal error={organisations.error} />}
      </div>

      <div className="booking-right">
        <div className="panel patient-line">
          {!canBook ? (
            <span className="muted">Поиск без записи: записывают операторы.</span>
          ) : patient.primary ? (
            <span className="ok">
              Пациент идентифицирован {patient.identifiedBy}
              {patient.identified.length > 1 ? ` (в ${patient.identified.length} организациях)` : ''}
            </span>
          ) : (
            <span className="warn">
              Пациент не идентифицирован: записать нельзя. <Link to="/call">Идентифицируйте его в карточке звонка</Link> (Alt+1).
            </span>
          )}
          {rescheduling && (
            <span className="reschedule-banner">
              Перенос записи на {slotTimeText(rescheduling.startsAt)}: выберите новое время в этой организации.{' '}
              <button type="button" onClick={patient.stopReschedule} title="Esc">
                Не переносить
              </button>
            </span>
          )}
        </div>

        {confirmation && (
          <div className="panel confirmation" data-testid="booking-confirmation" data-appointment-id={confirmation.appointmentId} data-status={confirmation.status}>
            <strong>{confirmation.replacesAppointmentId ? 'Перенос' : 'Запись'}:</strong> {slotTimeText(confirmation.startsAt)}
            {confirmedSlot?.slotId === confirmation.slotId && (
              <span>
                {confirmedSlot.practitionerName ?? ''}
                {confirmedSlot.specialty.name ? ` (${confirmedSlot.specialty.name})` : ''}, {confirmedSlot.organisationName ?? confirmedSlot.organisationOid}
                {confirmedSlot.room ? `, каб. ${confirmedSlot.room}` : ''}
              </span>
            )}
            <StatusBadge status={confirmation.status} />
            {confirmation.status === 'PENDING' && <span className="muted"> ждём ответа МИС поликлиники…</span>}
            <AppointmentActions appointment={confirmation} onChanged={setConfirmation} disabled={busySlot !== null} />
          </div>
        )}

        {confirming && (
          <div className="panel confirm-step" role="alertdialog" aria-label="Подтверждение">
            {mode === 'reschedule' ? 'Перенести запись на' : 'Записать пациента на'} <strong>{slotTimeText(confirming.startsAt)}</strong>, {confirming.practitionerName ?? ''},{' '}
            {confirming.organisationName ?? confirming.organisationOid}?{' '}
            {confirming.freshness.stale && <span className="fresh-STALE">Нет связи с МИС: время может быть занято. </span>}
            <button type="button" className="primary" ref={confirmButton} onClick={confirm}>
              Да (Enter)
            </button>{' '}
            <button type="button" onClick={() => setConfirming(null)}>
              Нет (Esc)
            </button>
          </div>
        )}

        {error !== null && <Refusal error={error} note={errorNote} />}
        {waitlisted && (
          <p className="ok">
            Пациент в листе ожидания ({waitlisted.status === 'WAITING' ? 'ожидает' : waitlisted.status}): освободившееся время ему предложат.
          </p>
        )}

        <div className="panel results">
          <div className="results-head">
            <h2>
              Свободное время {search ? <span className="muted">{found.length}{slots.hasNextPage ? '+' : ''}</span> : null}
            </h2>
            <span className="muted">{mode === 'search' ? '↑↓ — выбор, / — поиск' : `↑↓ — выбор, Enter — ${mode === 'reschedule' ? 'перенести' : 'записать'}, / — поиск, Esc — отмена`}</span>
            {canBook && (
              <button
                type="button"
                data-testid="waitlist-add"
                disabled={!waitlistTarget || !search}
                title={waitlistTarget ? 'Поставить пациента в лист ожидания к этой специальности или врачу' : 'Выберите организацию и специальность или врача, затем найдите'}
                onClick={() => void waitlist()}
              >
                В лист ожидания
              </button>
            )}
          </div>
          {slots.error && <Refusal error={slots.error} />}
          {search === null && <p className="muted">Выберите условия и нажмите «Найти» (Enter).</p>}
          {search !== null && !slots.isFetching && found.length === 0 && !slots.error && <p className="muted">Свободного времени не найдено.</p>}
          {found.length > 0 && (
            <div className="results-scroll">
              <SlotList
                slots={found}
                districtName={districtName}
                mode={mode}
                rescheduleAt={rescheduling?.organisationOid ?? null}
                holds={holds}
                busySlot={busySlot}
                listRef={list}
                onEnter={(slot) => (mode === 'book' || (mode === 'reschedule' && slot.organisationOid === rescheduling?.organisationOid) ? setConfirming(slot) : undefined)}
                onBook={(slot) => void book(slot)}
                onHold={(slot) => void hold(slot)}
                onRescheduleHere={(slot) => void rescheduleHere(slot)}
                onPastEnd={() => slots.hasNextPage && !slots.isFetchingNextPage && void slots.fetchNextPage()}
              />
              {slots.hasNextPage && (
                <button type="button" className="more" disabled={slots.isFetchingNextPage} onClick={() => void slots.fetchNextPage()}>
                  {slots.isFetchingNextPage ? 'Загрузка…' : 'Ещё'}
                </button>
              )}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
