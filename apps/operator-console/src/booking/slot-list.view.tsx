import { useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { clockText, movedIndex, slotSpanText, slotTimeText, type HoldView, type SlotView } from './booking.mapper';
import { FreshnessBadge } from './organisations.view';

export type SlotMode = 'book' | 'reschedule' | 'search';

interface Props {
  readonly slots: readonly SlotView[];
  readonly districtName: (id: string | null) => string;
  readonly mode: SlotMode;
  /** Rescheduling stays at the appointment's organisation (the patient id is that organisation's). */
  readonly rescheduleAt: string | null;
  readonly holds: ReadonlyMap<string, HoldView>;
  readonly busySlot: string | null;
  readonly listRef: Ref<HTMLTableSectionElement>;
  /** Enter on a row: the page asks to confirm, then books or moves. */
  readonly onEnter: (slot: SlotView) => void;
  readonly onBook: (slot: SlotView) => void;
  readonly onHold: (slot: SlotView) => void;
  readonly onRescheduleHere: (slot: SlotView) => void;
  /** ↓ on the last row: the next page, when there is one. */
  readonly onPastEnd: () => void;
}

/** The found slots; arrow keys move between rows (one row in the tab order), Enter acts on the row. */
export function SlotList({ slots, districtName, mode, rescheduleAt, holds, busySlot, listRef, onEnter, onBook, onHold, onRescheduleHere, onPastEnd }: Props) {
  const [active, setActive] = useState(0);
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  const current = Math.min(active, Math.max(slots.length - 1, 0));

  useEffect(() => {
    rows.current.length = slots.length;
  }, [slots.length]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    if (event.target instanceof HTMLButtonElement && event.key === 'Enter') return;
    if (event.key === 'Enter' && slots[current]) {
      event.preventDefault();
      onEnter(slots[current]);
      return;
    }
    if (event.key === 'ArrowDown' && current === slots.length - 1) {
      event.preventDefault();
      onPastEnd();
      return;
    }
    const next = movedIndex(current, event.key, slots.length);
    if (next !== current && next >= 0) {
      event.preventDefault();
      setActive(next);
      rows.current[next]?.focus();
    }
  };

  return (
    <table className="slots">
      <thead>
        <tr>
          <th>Время</th>
          <th>Врач</th>
          <th>Организация</th>
          <th>Район</th>
          <th>Данные</th>
          <th />
        </tr>
      </thead>
      <tbody ref={listRef} onKeyDown={onKeyDown}>
        {slots.map((slot, index) => {
          const hold = holds.get(slot.slotId);
          const busy = busySlot === slot.slotId;
          return (
            <tr
              key={slot.slotId}
              ref={(row) => {
                rows.current[index] = row;
              }}
              tabIndex={index === current ? 0 : -1}
              className={`slot-row${slot.freshness.stale ? ' stale' : ''}${index === current ? ' active' : ''}`}
              data-testid="slot-row"
              data-slot-id={slot.slotId}
              data-organisation={slot.organisationOid}
              data-district={slot.districtId ?? ''}
              onFocus={() => setActive(index)}
              aria-selected={index === current}
            >
              <td className="time" title={slotSpanText(slot.startsAt, slot.endsAt)}>
                {slotTimeText(slot.startsAt)}
              </td>
              <td>
                {slot.practitionerName ?? slot.practitionerId}
                <div className="muted">
                  {slot.specialty.name ?? slot.position.name ?? ''}
                  {slot.room ? ` · каб. ${slot.room}` : ''}
                </div>
              </td>
              <td>{slot.organisationName ?? slot.organisationOid}</td>
              <td>{districtName(slot.districtId)}</td>
              <td>
                <FreshnessBadge freshness={slot.freshness} testId="slot-freshness" />
              </td>
              <td className="actions">
                {mode === 'book' && (
                  <>
                    <button type="button" data-testid="slot-hold" disabled={busy || Boolean(hold)} onClick={() => onHold(slot)} title="Удержать время, пока идёт разговор">
                      {hold ? `удержано до ${clockText(hold.expiresAt)}` : 'Удержать'}
                    </button>
                    <button type="button" className="primary" data-testid="slot-book" disabled={busy} onClick={() => onBook(slot)} title="Записать пациента (Enter на строке)">
                      {busy ? 'Запись…' : 'Записать'}
                    </button>
                  </>
                )}
                {mode === 'reschedule' && slot.organisationOid === rescheduleAt && (
                  <button type="button" className="primary" data-testid="slot-reschedule-here" disabled={busy} onClick={() => onRescheduleHere(slot)} title="Перенести запись на это время (Enter на строке)">
                    {busy ? 'Перенос…' : 'Перенести сюда'}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
