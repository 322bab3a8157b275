import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useLiveEvents } from '../live/live-events.context';
import { AppointmentActions, StatusBadge } from '../booking/appointment.view';
import { dateTimeText, organisationName, slotTimeText } from '../booking/booking.mapper';
import { useOrganisations, usePractitionerNames } from '../booking/booking.query';
import { Refusal } from '../api/refusal.view';
import { appealStatusText, callbackStatusText, callerNumberText, durationText, outcomeText, type CardCall } from './call-card.mapper';
import { useAppealTypeNames, useCallCard, useCurrentCallQuery, usePatientAppointments } from './call.query';
import { IdentifyPatient } from './identify.view';
import { usePatient } from './patient.context';
import './call.css';

/** One panel of the card: a title with its count, a table of rows, or what an empty list means. */
function CardPanel<T>({ title, items, empty, row }: { title: string; items: readonly T[]; empty: string; row: (item: T) => ReactNode }) {
  return (
    <div className="panel">
      <h2>
        {title} <span className="muted">{items.length}</span>
      </h2>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <table>
          <tbody>{items.map(row)}</tbody>
        </table>
      )}
    </div>
  );
}

function CallHistory({ uniqueid }: { uniqueid: string }) {
  const card = useCallCard(uniqueid);
  const typeNames = useAppealTypeNames();
  if (card.error) return <Refusal error={card.error} />;
  if (!card.data) return <p className="muted">Загрузка истории…</p>;
  const { earlierCalls, callbacks, appeals } = card.data;
  return (
    <>
      <CardPanel
        title="Прежние звонки"
        items={earlierCalls}
        empty="Раньше не звонил."
        row={(c) => (
          <tr key={c.uniqueid} data-testid="earlier-call" data-uniqueid={c.uniqueid}>
            <td>{dateTimeText(c.joinedAt)}</td>
            <td>{c.branch}</td>
            <td className={c.outcome === 'ABANDONED' ? 'fresh-STALE' : ''}>{outcomeText(c.outcome)}</td>
            <td className="muted" title="ожидание / разговор">
              {durationText(c.holdSeconds)} / {durationText(c.talkSeconds)}
            </td>
          </tr>
        )}
      />
      <CardPanel
        title="Открытые перезвоны"
        items={callbacks}
        empty="Нет."
        row={(t) => (
          <tr key={t.id} data-testid="card-callback" data-task-id={t.id} data-status={t.status}>
            <td>{dateTimeText(t.createdAt)}</td>
            <td>{t.branch}</td>
            <td>{callbackStatusText(t.status)}</td>
            <td className="muted">потерянных звонков: {t.lostCalls}</td>
          </tr>
        )}
      />
      <CardPanel
        title="Открытые обращения"
        items={appeals}
        empty="Нет."
        row={(a) => (
          <tr key={a.id} data-testid="card-appeal" data-appeal-id={a.id} data-status={a.status}>
            <td>{dateTimeText(a.createdAt)}</td>
            <td>{typeNames.get(a.type) ?? a.type}</td>
            <td>{appealStatusText(a.status)}</td>
            <td className="muted">срок: {dateTimeText(a.deadline)}</td>
          </tr>
        )}
      />
    </>
  );
}

function CallHeader({ call, onLine }: { call: CardCall; onLine: boolean }) {
  return (
    <div className="panel call-head" data-testid="call-card" data-uniqueid={call.uniqueid}>
      <span className={`line ${onLine ? 'on' : 'off'}`}>{onLine ? 'На линии' : 'Разговор завершён'}</span>
      <span className="number" data-testid="call-card-number" data-value={call.callerNumber ?? ''}>
        {callerNumberText(call.callerNumber)}
      </span>
      <span>филиал {call.branch}</span>
      <span className="muted">очередь {call.queue}</span>
      <span className="muted">соединён {dateTimeText(call.connectedAt)}</span>
    </div>
  );
}

function PatientAppointments() {
  const patient = usePatient();
  const ids = useMemo(() => patient.identified.map((p) => p.patientId), [patient.identified]);
  const appointments = usePatientAppointments(ids);
  const organisations = useOrganisations();
  const names = useMemo(() => new Map((organisations.data?.items ?? []).map((o) => [o.organisationOid, organisationName(o)])), [organisations.data]);
  const clinics = useMemo(() => [...new Set(appointments.items.map((a) => a.organisationOid))], [appointments.items]);
  const doctors = usePractitionerNames(clinics);
  if (!patient.primary) return null;
  return (
    <div className="panel appointments">
      <h2>
        Записи пациента <span className="muted">{appointments.items.length}</span> <Link to="/booking" title="Alt+2">Записать…</Link>
      </h2>
      {appointments.error && <Refusal error={appointments.error} />}
      {appointments.loading && <p className="muted">Загрузка…</p>}
      {!appointments.loading && appointments.items.length === 0 && <p className="muted">Записей нет.</p>}
      <table>
        <tbody>
          {appointments.items.map((a) => (
            <tr key={a.appointmentId} data-testid="patient-appointment" data-appointment-id={a.appointmentId} data-status={a.status}>
              <td className="time">{slotTimeText(a.startsAt)}</td>
              <td>
                {doctors.get(a.resourceId) ?? ''}
                <div className="muted">{names.get(a.organisationOid) ?? a.organisationOid}</div>
              </td>
              <td>
                <StatusBadge status={a.status} />
              </td>
              <td className="actions">
                <AppointmentActions appointment={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The call card: opened by the live push when the PBX connects a caller to this seat, read once from
 * the backend after a reload, and kept after the caller hangs up until the next call.
 */
export function CallPage() {
  const { currentCall, lastCall } = useLiveEvents();
  const fetched = useCurrentCallQuery();
  const organisations = useOrganisations();
  const fromReload = lastCall ? null : (fetched.data?.call?.call ?? null);
  const call = currentCall ?? lastCall ?? fromReload;
  const onLine = call !== null && (currentCall?.uniqueid === call.uniqueid || call === fromReload);

  return (
    <section className="page call-page">
      <div className="call-left">
        {call ? (
          <>
            <CallHeader call={call} onLine={onLine} />
            <CallHistory uniqueid={call.uniqueid} />
          </>
        ) : (
          <div className="panel">
            <h2>Звонка нет</h2>
            <p className="muted">Карточка откроется сама, когда АТС соединит вас с абонентом.</p>
            {fetched.error && <Refusal error={fetched.error} />}
          </div>
        )}
      </div>
      <div className="call-right">
        <IdentifyPatient organisations={organisations.data?.items ?? []} />
        {organisations.error && <Refusal error={organisations.error} />}
        <PatientAppointments />
      </div>
    </section>
  );
}
