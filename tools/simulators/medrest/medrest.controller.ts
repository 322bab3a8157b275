import type { BookingService } from './booking.service';
import { ProblemError } from './problem.errors';
import type { ScheduleQuery } from './schedule.query';

export const apiBase = '/api/v2';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** As logged: the path under the base with its ids as `{id}`, never the ids themselves. */
  readonly name: string;
  readonly pattern: RegExp;
  /** Changes the schedule: `dropAnswers` loses its answer once the change is made. */
  readonly changes: boolean;
  readonly handle: (params: readonly string[], query: URLSearchParams, body: unknown) => ApiAnswer;
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const created = (body: Record<string, unknown>, collection: string): ApiAnswer => ({
  status: 201,
  body,
  headers: { location: `${apiBase}/${collection}/${encodeURIComponent(String(body['id']))}` },
});

function route(method: ApiRoute['method'], name: string, handle: ApiRoute['handle'], changes = false): ApiRoute {
  const pattern = new RegExp(`^${name.replace(/\{id\}/g, '([^/]+)')}$`);
  return { method, name, pattern, changes, handle };
}

/** MedREST's routes under `/api/v2`; a path matching none is `not_found`, a known path with another method `method_not_allowed`. */
export function medRestRoutes(schedule: ScheduleQuery, booking: BookingService): readonly ApiRoute[] {
  return [
    route('GET', '/facilities', (_, q) => ok(schedule.facilities(q))),
    route('GET', '/facilities/{id}', ([id]) => ok(schedule.facility(id ?? ''))),
    route('GET', '/facilities/{id}/practitioners', ([id], q) => ok(schedule.practitioners(id ?? '', q))),
    route('GET', '/practitioners/{id}', ([id]) => ok(schedule.practitioner(id ?? ''))),
    route('GET', '/practitioners/{id}/slots', ([id], q) => ok(schedule.slots(id ?? '', q))),
    route('GET', '/slots/changes', (_, q) => ok(schedule.changes(q))),
    route('GET', '/slots/{id}', ([id]) => ok(schedule.slot(id ?? ''))),
    route('GET', '/specialties', () => ok(schedule.specialties())),
    route('POST', '/patients/search', (_, q, body) => ok(booking.search(body, q))),
    route('POST', '/patients', (_, __, body) => created(booking.register(body), 'patients')),
    route('GET', '/patients/{id}', ([id]) => ok(booking.patient(id ?? ''))),
    route('GET', '/patients/{id}/appointments', ([id], q) => ok(booking.appointmentsOf(id ?? '', q))),
    route('POST', '/appointments', (_, __, body) => created(booking.book(body), 'appointments'), true),
    route('GET', '/appointments/{id}', ([id]) => ok(booking.appointment(id ?? ''))),
    route('POST', '/appointments/{id}/cancel', ([id], __, body) => ok(booking.cancel(id ?? '', body)), true),
  ];
}

/** The route for a method and a path under the base, with its decoded ids; a problem when there is none. */
export function matchRoute(routes: readonly ApiRoute[], method: string, path: string): { readonly route: ApiRoute; readonly params: string[] } {
  const allowed: string[] = [];
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (candidate.method !== method) {
      allowed.push(candidate.method);
      continue;
    }
    try {
      return { route: candidate, params: match.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      throw new ProblemError('not_found', 'The path is not valid.');
    }
  }
  if (allowed.length > 0) throw new ProblemError('method_not_allowed', `Use ${allowed.join(' or ')}.`, {}, { allow: [...new Set(allowed)].join(', ') });
  throw new ProblemError('not_found', 'No such endpoint; see the API reference.');
}
