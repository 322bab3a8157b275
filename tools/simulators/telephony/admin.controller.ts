import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBodyUpTo } from '@medbus/hubservice';
import type { AmiServer } from './ami.server';
import type { CallRecords } from './call.records';
import type { LivePbx } from './pbx.live';
import { originateOutcomes, type OriginateDesk } from './originate.service';
import type { QueueLog } from './queue.log';
import type { ReplayRunner } from './replay.runner';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const problem = (res: ServerResponse, status: number, code: string, message: string): void => sendJson(res, status, { error: { code, message } });

const seconds = z.number().int().min(0).max(86_400);
const callBody = z
  .object({ queue: z.string().min(1), callerNumber: z.string().regex(/^\d{7,15}$/, 'expected 7–15 digits'), outcome: z.enum(['ABANDON', 'ANSWER']), waitSeconds: seconds, talkSeconds: seconds.optional() })
  .strict();
const loadBody = z.object({ callsPerDay: z.number().int().min(0).max(10_000_000).optional(), paused: z.boolean().optional() }).strict();
const dropBody = z.object({ refuseMs: z.number().int().min(0).max(3_600_000).optional() }).strict();
const outcomesBody = z.record(z.string().regex(/^\d{1,15}$/), z.enum(originateOutcomes));
const replayBody = z
  .object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), calls: z.number().int().min(0).max(1_000_000), timeZone: z.string().min(1).default('Europe/Moscow'), seed: z.number().int().min(0).default(1) })
  .strict();
const instant = (value: string | null): number | undefined | null => {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
};

export interface AdminDependencies {
  readonly token: string;
  readonly live: LivePbx;
  readonly ami: AmiServer;
  readonly calls: CallRecords;
  readonly queueLog: QueueLog;
  readonly originate: OriginateDesk;
  readonly replay: ReplayRunner;
  stats(): Record<string, unknown>;
  reset(): void;
}

/** The admin JSON API (`/admin/*`) and the queue_log (`/queue_log`), both behind the bearer token. */
export class AdminController {
  constructor(private readonly deps: AdminDependencies) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!this.authorised(req)) return problem(res, 401, 'ADMIN.UNAUTHORIZED', 'admin token required');
    const raw = req.method === 'POST' || req.method === 'PUT' ? await readBodyUpTo(req, 1024 * 1024) : Buffer.alloc(0);
    if (raw === undefined) return problem(res, 413, 'ADMIN.BODY_TOO_LARGE', 'body too large');
    let body: unknown = {};
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return problem(res, 400, 'ADMIN.MALFORMED', 'body is not JSON');
    }
    const parse = <T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>): T | undefined => {
      const result = schema.safeParse(body);
      if (!result.success) problem(res, 400, 'ADMIN.VALIDATION', result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return result.success ? result.data : undefined;
    };
    const { live, ami, calls, originate, replay } = this.deps;
    const q = url.searchParams;
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /queue_log': {
        const limit = Math.min(Number(q.get('limit') ?? 10_000) || 10_000, 100_000);
        const page = this.deps.queueLog.read(Number(q.get('since') ?? 0) || 0, Number(q.get('after') ?? 0) || 0, limit);
        const text = page.lines.length > 0 ? `${page.lines.join('\n')}\n` : '';
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(page.last === undefined ? {} : { 'x-last-line': String(page.last) }) });
        res.end(text);
        return;
      }
      case 'POST /admin/calls': {
        const input = parse(callBody);
        if (!input) return;
        if (!live.engine.queueNames().includes(input.queue)) return problem(res, 400, 'ADMIN.UNKNOWN_QUEUE', 'no such queue');
        const script = { outcome: input.outcome, waitSeconds: input.waitSeconds, ...(input.talkSeconds === undefined ? {} : { talkSeconds: input.talkSeconds }) };
        return sendJson(res, 201, { uniqueid: live.inject(input.queue, input.callerNumber, script) });
      }
      case 'GET /admin/calls': {
        const from = instant(q.get('from'));
        const to = instant(q.get('to'));
        if (from === null || to === null) return problem(res, 400, 'ADMIN.VALIDATION', 'from and to must be ISO instants');
        const after = q.get('after') ?? undefined;
        if (after !== undefined && !calls.has(after)) return problem(res, 400, 'ADMIN.UNKNOWN_CURSOR', 'after names no call');
        const limit = Math.max(1, Math.min(Number(q.get('limit') ?? 1000) || 1000, 5000));
        const items = calls.query({ from, to, queue: q.get('queue') ?? undefined, after, limit });
        return sendJson(res, 200, { items, next: items.length === limit ? items[items.length - 1]?.uniqueid : null });
      }
      case 'POST /admin/load': {
        const input = parse(loadBody);
        if (!input) return;
        live.setLoad(input);
        return sendJson(res, 200, live.load());
      }
      case 'POST /admin/drop': {
        const input = parse(dropBody);
        return input && sendJson(res, 200, { dropped: ami.drop(input.refuseMs ?? 0) });
      }
      case 'PUT /admin/originate-outcomes': {
        const input = parse(outcomesBody);
        if (!input) return;
        for (const [number, outcome] of Object.entries(input)) originate.overrides.set(number, outcome);
        return sendJson(res, 200, { overrides: Object.fromEntries(originate.overrides) });
      }
      case 'GET /admin/originates':
        return sendJson(res, 200, { items: originate.list() });
      case 'GET /admin/stats':
        return sendJson(res, 200, this.deps.stats());
      case 'POST /admin/reset':
        this.deps.reset();
        return sendJson(res, 200, { reset: true });
      case 'POST /admin/replay': {
        const input = parse(replayBody);
        if (!input) return;
        if (!Intl.supportedValuesOf('timeZone').includes(input.timeZone) && input.timeZone !== 'UTC') return problem(res, 400, 'ADMIN.VALIDATION', 'timeZone: expected an IANA time zone');
        if (!replay.start(input)) return problem(res, 409, 'ADMIN.REPLAY_RUNNING', 'a replay is running');
        return sendJson(res, 202, replay.status);
      }
      case 'GET /admin/replay':
        return sendJson(res, 200, replay.status);
      default:
        return problem(res, 404, 'HTTP.404', 'not found');
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const header = String(req.headers['authorization'] ?? '');
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(this.deps.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
