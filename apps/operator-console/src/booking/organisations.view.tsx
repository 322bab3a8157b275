import { freshnessBadge, freeSlotsText, organisationName, slotTimeText, type Freshness, type OrganisationView } from './booking.mapper';

export function FreshnessBadge({ freshness, testId }: { freshness: Freshness; testId?: string }) {
  const badge = freshnessBadge(freshness);
  return (
    <span className={`badge fresh-${badge.level}`} data-testid={testId} data-freshness={badge.level} title={badge.hint}>
      {badge.text}
    </span>
  );
}

/**
 * The organisations of the search with their freshness, shown before any slot is promised: a MIS that
 * is down stands out here first. Choosing a row narrows the search to it.
 */
export function OrganisationList({
  organisations,
  selected,
  onSelect,
}: {
  organisations: readonly OrganisationView[];
  selected: string;
  onSelect: (organisation: OrganisationView) => void;
}) {
  const stale = organisations.filter((o) => o.freshness.stale).length;
  return (
    <div className="panel org-panel">
      <h2>
        Организации <span className="muted">{organisations.length}</span>
        {stale > 0 && <span className="fresh-STALE" title="Организации без связи с МИС или без сведений"> · неактуальны: {stale}</span>}
      </h2>
      <div className="org-list" role="listbox" aria-label="Организации">
        {organisations.map((o) => {
          const badge = freshnessBadge(o.freshness);
          return (
            <button
              type="button"
              key={o.organisationOid}
              role="option"
              aria-selected={o.organisationOid === selected}
              className={`org-row${o.organisationOid === selected ? ' selected' : ''}`}
              data-testid="org-row"
              data-oid={o.organisationOid}
              data-freshness={badge.level}
              title={`${o.fullName ?? organisationName(o)}${o.address ? `, ${o.address}` : ''}\n${badge.hint}`}
              onClick={() => onSelect(o)}
            >
              <span className="org-name">{organisationName(o)}</span>
              <span className="muted">{o.districtName ?? o.districtId ?? ''}</span>
              <span className="muted" title="Свободных мест (до 50) и ближайшее">
                {freeSlotsText(o)}
                {o.nearestFreeAt ? ` · ${slotTimeText(o.nearestFreeAt)}` : ''}
              </span>
              <span className={`badge fresh-${badge.level}`}>{badge.text}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
