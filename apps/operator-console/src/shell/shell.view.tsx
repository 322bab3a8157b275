import { useEffect, useRef, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router-dom';
import { isSupervisor, useCaller, useSession, type Role } from '../api/session.context';
import { LiveEventsProvider, useLiveEvents } from '../live/live-events.context';
import { roleName } from './role.mapper';

interface Section {
  readonly path: string;
  readonly label: string;
  readonly testId: string;
  readonly key: string;
  readonly roles: readonly Role[];
}

const everyone: readonly Role[] = ['OPERATOR', 'SECOND_LINE', 'BRANCH_SUPERVISOR', 'HEAD_SUPERVISOR'];
const sections: readonly Section[] = [
  { path: '/call', label: 'Звонок', testId: 'nav-call', key: '1', roles: ['OPERATOR'] },
  { path: '/booking', label: 'Запись', testId: 'nav-booking', key: '2', roles: everyone },
  { path: '/callbacks', label: 'Перезвоны', testId: 'nav-callbacks', key: '3', roles: ['OPERATOR', 'BRANCH_SUPERVISOR', 'HEAD_SUPERVISOR'] },
  { path: '/appeals', label: 'Обращения', testId: 'nav-appeals', key: '4', roles: everyone },
  { path: '/dashboard', label: 'Мониторинг', testId: 'nav-dashboard', key: '5', roles: ['OPERATOR', 'BRANCH_SUPERVISOR', 'HEAD_SUPERVISOR'] },
];

/** Alt+1…5 switch sections; a connected call brings the operator to its card. */
function Hotkeys({ visible }: { visible: readonly Section[] }) {
  const navigate = useNavigate();
  const { currentCall } = useLiveEvents();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const section = visible.find((s) => s.key === event.key);
      if (section) {
        event.preventDefault();
        navigate(section.path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, visible]);
  // Once per call: navigate changes with the location, and re-running on it kept the operator on /call.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (!currentCall || opened.current === currentCall.uniqueid) return;
    opened.current = currentCall.uniqueid;
    navigate('/call');
  }, [currentCall, navigate]);
  return null;
}

function LineState() {
  const { connected, currentCall } = useLiveEvents();
  return (
    <span className={`line-state ${connected ? 'on' : 'off'}`} title={connected ? 'Связь с сервером есть' : 'Нет связи с сервером'}>
      {currentCall ? 'На линии' : connected ? 'Онлайн' : 'Нет связи'}
    </span>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const caller = useCaller();
  const { signOut } = useSession();
  const visible = sections.filter((s) => s.roles.includes(caller.role));
  return (
    <LiveEventsProvider>
      <Hotkeys visible={visible} />
      <div className="shell">
        <header className="topbar">
          <span className="brand">medbus</span>
          <nav>
            {visible.map((s) => (
              <NavLink key={s.path} to={s.path} data-testid={s.testId} title={`Alt+${s.key}`}>
                {s.label}
              </NavLink>
            ))}
          </nav>
          <LineState />
          <span className="who" data-testid="session-user" data-role={caller.role} data-branch={caller.branch ?? ''}>
            {roleName(caller.role)}
            {caller.branch ? ` · ${caller.branch}` : isSupervisor(caller.role) || caller.role === 'OPERATOR' ? ' · головной центр' : ''}
            {caller.seat ? ` · ${caller.seat}` : ''}
          </span>
          <button type="button" data-testid="logout" onClick={() => void signOut()}>
            Выйти
          </button>
        </header>
        <main className="content">{children}</main>
      </div>
    </LiveEventsProvider>
  );
}
