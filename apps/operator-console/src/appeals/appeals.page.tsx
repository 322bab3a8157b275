import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { ApiError, newIdempotencyKey } from '../api/http.client';
import { useCaller } from '../api/session.context';
import { useLiveEvents } from '../live/live-events.context';
import { usePatient } from '../call/patient.context';
import { Refusal } from '../api/refusal.view';
import { formatMoscow } from '../callbacks/callbacks.mapper';
import {
  actionsFor,
  appealStatusName,
  deadlineRiskOf,
  deadlineText,
  eventName,
  followUpName,
  invalidFieldsOf,
  formFromCall,
  registrationOf,
  riskName,
  stepsOf,
  type AppealForm,
  type AppealListFilter,
  type AppealType,
  type AppealView,
} from './appeals.mapper';
import { useAppeal, useAppeals, useAppealTypes, useFollowUp, useRegisterAppeal, useTransition } from './appeals.query';
import { KnowledgePanel } from './knowledge.view';
import { useReachedBranches } from '../dashboard/dashboard.query';
import './appeals.css';

const statuses = ['REGISTERED', 'IN_PROGRESS', 'SECOND_LINE', 'RESOLVED', 'CLOSED'] as const;
const defaultHandover = 'Прошу рассмотреть обращение на второй линии.';

/** A refusal, and for a form refused as invalid the fields it names. */
function Refused({ error }: { error: unknown }) {
  const fields = error instanceof ApiError ? invalidFieldsOf(error.details) : [];
  return (
    <>
      <Refusal error={error} />
      {fields.length > 0 ? <p className="muted">Проверьте: {fields.join(', ')}.</p> : null}
    </>
  );
}

/** Ctrl+Enter in a text area submits its form (Enter writes a new line). */
const submitOnCtrlEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    event.currentTarget.form?.requestSubmit();
  }
};

function NewAppeal({ types, initial, onCreated, onCancel, onType }: { types: readonly AppealType[]; initial: AppealForm; onCreated: (id: string) => void; onCancel: () => void; onType: (code: string) => void }) {
  const [form, setForm] = useState<AppealForm>(initial);
  const register = useRegisterAppeal();
  // One appeal being written is one registration, however often the form is sent (a lost answer, a second Enter).
  const [idempotencyKey] = useState(newIdempotencyKey);
  const set = (key: keyof AppealForm) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    setForm((f) => ({ ...f, [key]: value }));
    if (key === 'type') onType(value);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate({ body: registrationOf(form), idempotencyKey }, { onSuccess: (appeal) => onCreated(appeal.id) });
  };
  return (
    <form className="panel appeal-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <h2>Новое обращение</h2>
      <label>
        Тип
        <select data-testid="appeal-type" value={form.type} onChange={set('type')} required autoFocus>
          <option value="">— выберите —</option>
          {types
            .filter((t) => t.active)
            .map((t) => (
              <option key={t.code} value={t.code}>
                {t.name} ({t.reviewDays} дн.)
              </option>
            ))}
        </select>
      </label>
      <label>
        Телефон заявителя
        <input value={form.applicantPhone} onChange={set('applicantPhone')} required inputMode="tel" placeholder="+7 918 123-45-67" autoComplete="off" />
      </label>
      {form.patientId ? (
        <label className="inline">
          <input type="checkbox" checked onChange={() => setForm((f) => ({ ...f, patientId: '' }))} /> Пациент, идентифицированный в звонке, указан в обращении
        </label>
      ) : null}
      <label className="grow">
        Суть обращения
        <textarea data-testid="appeal-text" value={form.text} onChange={set('text')} onKeyDown={submitOnCtrlEnter} required rows={6} maxLength={8000} />
      </label>
      <div className="row">
        <label>
          Профиль (код НСИ)
          <input value={form.profileCode} onChange={set('profileCode')} inputMode="numeric" size={6} />
        </label>
        <label>
          OID организации
          <input value={form.organisationOid} onChange={set('organisationOid')} size={24} />
        </label>
        <label>
          Район
          <input value={form.districtId} onChange={set('districtId')} size={10} />
        </label>
      </div>
      {register.error ? <Refused error={register.error} /> : null}
      <div className="row">
        <button type="submit" className="primary" data-testid="appeal-submit" disabled={register.isPending} title="Ctrl+Enter">
          Зарегистрировать
        </button>
        <button type="button" onClick={onCancel} title="Esc">
          Отмена
        </button>
      </div>
    </form>
  );
}

function AppealDetail({ appeal, typeName }: { appeal: AppealView; typeName: string }) {
  const caller = useCaller();
  const actions = actionsFor(caller.role, appeal);
  const transition = useTransition();
  const followUp = useFollowUp();
  const [handover, setHandover] = useState(defaultHandover);
  const [resolution, setResolution] = useState('');
  const [outcome, setOutcome] = useState('SATISFIED');
  const [followUpNote, setFollowUpNote] = useState('');
  const now = new Date();
  const risk = deadlineRiskOf(appeal, now);
  const busy = transition.isPending || followUp.isPending;
  const run = (action: 'TAKE' | 'TO_SECOND_LINE' | 'RESOLVE' | 'TAKE_SECOND_LINE', note = '') => {
    followUp.reset();
    transition.mutate({ id: appeal.id, steps: stepsOf(action, appeal.status, note) });
  };

  return (
    <div className="panel appeal-detail" data-appeal-id={appeal.id} data-status={appeal.status}>
      <h2>
        Обращение № {appeal.number} · {typeName}
      </h2>
      <p>
        <b>{appealStatusName(appeal.status)}</b>
        {appeal.line === 2 ? ' · вторая линия' : ''}
        {appeal.assignedTo ? ` · исполнитель ${appeal.assignedTo === caller.clientId ? 'я' : appeal.assignedTo}` : ''}
        {' · '}
        <span className={`risk-${risk}`}>
          срок {formatMoscow(appeal.deadlineAt)}
          {risk !== 'DONE' ? ` (${deadlineText(appeal.deadlineAt, now)})` : ''}
        </span>
      </p>
      <p>
        Заявитель: {appeal.applicantPhone}
        {appeal.district ? ` · район ${appeal.district.name ?? appeal.district.id}` : ''}
        {appeal.organisationOid ? ` · организация ${appeal.organisationOid}` : ''}
        {appeal.profileCode ? ` · профиль ${appeal.profileCode}` : ''}
      </p>
      {appeal.text !== null ? <blockquote className="appeal-text-view">{appeal.text}</blockquote> : <p className="muted">Текст обращения доступен исполнителям.</p>}
      {appeal.handoverNote ? <p>Передано на вторую линию: {appeal.handoverNote}</p> : null}
      {appeal.resolution ? <p>Решение: {appeal.resolution}</p> : null}
      {appeal.followUp.outcome ? (
        <p>
          Контрольный звонок: {followUpName(appeal.followUp.outcome)}
          {appeal.followUp.note ? ` — ${appeal.followUp.note}` : ''}
        </p>
      ) : null}
      {transition.error ? <Refused error={transition.error} /> : null}
      {followUp.error ? <Refused error={followUp.error} /> : null}
      {actions.includes('TAKE') || actions.includes('TAKE_SECOND_LINE') ? (
        <button type="button" disabled={busy} onClick={() => run(actions.includes('TAKE') ? 'TAKE' : 'TAKE_SECOND_LINE')}>
          Взять себе
        </button>
      ) : null}
      {actions.includes('TO_SECOND_LINE') ? (
        <form
          className="appeal-action"
          onSubmit={(e) => {
            e.preventDefault();
            run('TO_SECOND_LINE', handover);
          }}
        >
          <label>
            Что передать второй линии
            <textarea value={handover} onChange={(e) => setHandover(e.target.value)} onKeyDown={submitOnCtrlEnter} rows={2} required />
          </label>
          <button type="submit" data-testid="appeal-to-second-line" disabled={busy}>
            Передать на вторую линию
          </button>
        </form>
      ) : null}
      {actions.includes('RESOLVE') ? (
        <form
          className="appeal-action"
          onSubmit={(e) => {
            e.preventDefault();
            run('RESOLVE', resolution);
          }}
        >
          <label>
            Ответ заявителю
            <textarea value={resolution} onChange={(e) => setResolution(e.target.value)} onKeyDown={submitOnCtrlEnter} rows={2} required />
          </label>
          <button type="submit" disabled={busy}>
            Решено
          </button>
        </form>
      ) : null}
      {actions.includes('FOLLOW_UP') ? (
        <form
          className="appeal-action"
          onSubmit={(e) => {
            e.preventDefault();
            transition.reset();
            followUp.mutate({ id: appeal.id, outcome, note: followUpNote.trim() || undefined });
          }}
        >
          <div className="row">
            <label>
              Контрольный звонок{appeal.followUp.notReached > 0 ? ` (не дозвонились: ${appeal.followUp.notReached})` : ''}
              <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                {['SATISFIED', 'NOT_SATISFIED', 'NOT_REACHED'].map((o) => (
                  <option key={o} value={o}>
                    {followUpName(o)}
                  </option>
                ))}
              </select>
            </label>
            <label className="grow">
              Комментарий
              <input value={followUpNote} onChange={(e) => setFollowUpNote(e.target.value)} />
            </label>
          </div>
          <button type="submit" data-testid="appeal-follow-up" disabled={busy}>
            Записать контрольный звонок
          </button>
        </form>
      ) : null}
      <details className="appeal-history">
        <summary>История ({appeal.events.length})</summary>
        <ul>
          {appeal.events.map((e, index) => (
            <li key={index}>
              {formatMoscow(e.at)} — {eventName(e.code)} ({e.actor})
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

export function AppealsPage() {
  const caller = useCaller();
  const operator = caller.role === 'OPERATOR';
  const { lastCall } = useLiveEvents();
  const [filter, setFilter] = useState<AppealListFilter>({ view: 'ALL', status: '', type: '', branch: '' });
  const [selected, setSelected] = useState<string | null>(null);
  const [writing, setWriting] = useState<AppealForm | null>(null);
  const [formType, setFormType] = useState('');
  const list = useAppeals(filter);
  const branches = useReachedBranches();
  const types = useAppealTypes();
  const appeal = useAppeal(writing ? null : selected);

  const typeNames = useMemo(() => new Map((types.data?.items ?? []).map((t) => [t.code, t.name])), [types.data]);
  const rows = useMemo(() => (list.data?.pages ?? []).flatMap((p) => p.items), [list.data]);
  const now = new Date();

  const patient = usePatient().primary;
  const openNew = () => {
    setWriting({ ...formFromCall(lastCall?.callerNumber, patient) });
    setFormType('');
  };

  const kbType = writing ? formType : (appeal.data?.type ?? '');

  return (
    <section className="page appeals-page">
      <div className="panel row appeals-head">
        <h2>Обращения</h2>
        <select value={filter.view} onChange={(e) => setFilter((f) => ({ ...f, view: e.target.value as AppealListFilter['view'] }))} aria-label="Отбор">
          <option value="ALL">все</option>
          <option value="AT_RISK">срок под угрозой или нарушен</option>
          {caller.role !== 'SECOND_LINE' ? <option value="FOLLOW_UPS_DUE">ждут контрольного звонка</option> : null}
        </select>
        {filter.view !== 'FOLLOW_UPS_DUE' ? (
          <>
            <select value={filter.status} onChange={(e) => setFilter((f) => ({ ...f, status: e.target.value }))} aria-label="Статус">
              <option value="">любой статус</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {appealStatusName(s)}
                </option>
              ))}
            </select>
            <select value={filter.type} onChange={(e) => setFilter((f) => ({ ...f, type: e.target.value }))} aria-label="Тип">
              <option value="">любой тип</option>
              {(types.data?.items ?? []).map((t) => (
                <option key={t.code} value={t.code}>
                  {t.name}
                </option>
              ))}
            </select>
          </>
        ) : null}
        {caller.role === 'HEAD_SUPERVISOR' ? (
          <select value={filter.branch} onChange={(e) => setFilter((f) => ({ ...f, branch: e.target.value }))} aria-label="Филиал">
            <option value="">все филиалы</option>
            {branches.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        ) : null}
        {operator ? (
          <button type="button" className="primary" data-testid="appeal-new" onClick={openNew} title="Alt+N" accessKey="n">
            Новое обращение
          </button>
        ) : null}
        {operator && lastCall ? <span className="muted">звонок {lastCall.callerNumber ?? 'без номера'} — номер подставится в новое обращение</span> : null}
      </div>
      <div className="appeals-grid">
        <div className="panel appeals-list">
          {list.error ? <Refusal error={list.error} /> : null}
          <table>
            <thead>
              <tr>
                <th>№</th>
                <th>Тип</th>
                {caller.role === 'HEAD_SUPERVISOR' ? <th>Филиал</th> : null}
                <th>Статус</th>
                <th>Срок</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const risk = deadlineRiskOf(a, now);
                return (
                  <tr
                    key={a.id}
                    data-testid="appeal-row"
                    data-appeal-id={a.id}
                    data-status={a.status}
                    className={`appeal-row risk-${risk}${a.id === selected && !writing ? ' selected' : ''}`}
                    tabIndex={0}
                    onClick={() => {
                      setWriting(null);
                      setSelected(a.id);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && e.target === e.currentTarget) {
                        setWriting(null);
                        setSelected(a.id);
                      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        e.preventDefault();
                        const next = e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
                        if (next instanceof HTMLElement) next.focus();
                      }
                    }}
                  >
                    <td>{a.number}</td>
                    <td>{typeNames.get(a.type) ?? a.type}</td>
                    {caller.role === 'HEAD_SUPERVISOR' ? <td>{a.branch}</td> : null}
                    <td>{appealStatusName(a.status)}</td>
                    <td data-testid="appeal-deadline" data-risk={risk} data-deadline={a.deadlineAt} title={riskName(risk)}>
                      {risk === 'DONE' ? formatMoscow(a.deadlineAt) : deadlineText(a.deadlineAt, now)}
                    </td>
                  </tr>
                );
              })}
              {!list.isLoading && rows.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    Нет обращений в этом отборе.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {list.hasNextPage ? (
            <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              Ещё
            </button>
          ) : null}
        </div>
        <div className="appeals-work">
          {writing ? (
            <NewAppeal
              types={types.data?.items ?? []}
              initial={writing}
              onType={setFormType}
              onCancel={() => setWriting(null)}
              onCreated={(id) => {
                setWriting(null);
                setSelected(id);
              }}
            />
          ) : appeal.data ? (
            <AppealDetail key={appeal.data.id} appeal={appeal.data} typeName={typeNames.get(appeal.data.type) ?? appeal.data.type} />
          ) : appeal.error ? (
            <Refusal error={appeal.error} />
          ) : (
            <div className="panel muted">Выберите обращение в списке (↑/↓, Enter){operator ? ' или начните новое (Alt+N).' : '.'}</div>
          )}
        </div>
        <KnowledgePanel typeCode={kbType} typeName={typeNames.get(kbType) ?? null} />
      </div>
    </section>
  );
}
