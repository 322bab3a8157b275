import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { discardRequestBody, readBodyUpTo } from '@medbus/hubservice';
import { describeError, organisationOidPattern, type Clock, type DialectLogger, type DialectRoute, type RawPayloadArchive, routeParamsOf } from '@medbus/mis-adapter-kit';
import { redactText } from '@medbus/telemetry';
import { toCommandItem } from './booking-command.mapper';
import type { BookingOrders, OrderAnswer } from './booking-order.service';
import { InboundCode, inboundStatusOf, type InboundRefusal } from './inbound.errors';
import {
  commandOutcomeBodySchema,
  commandsQuerySchema,
  fieldErrorsOf,
  localIdSchema,
  organisationBodySchema,
  resourcesBodySchema,
  slotRangeQuerySchema,
  slotsBodySchema,
} from './inbound-request.mapper';
import type { InboundPush, Pushed } from './push.service';

/** The inbound API's paths, as the OpenAPI document names them (`{name}`: one path segment). */
export const inboundPaths = {
  organisation: '/inbound/v1/organisations/{organisationOid}',
  resources: '/inbound/v1/organisations/{organisationOid}/resources',
  slots: '/inbound/v1/organisations/{organisationOid}/resources/{localResourceId}/slots',
  commands: '/inbound/v1/commands',
  outcome: '/inbound/v1/commands/{commandId}/outcome',
  openApi: '/inbound/v1/openapi.json',
} as const;

export interface InboundApiOptions {
  /** Keys the MIS presents as `Authorization: Bearer <key>`. */
  readonly apiKeys: readonly string[];
  readonly maxBodyBytes: number;
  /** The organisations registered to the adapter (the runtime's scope). */
  readonly organisations: readonly string[];
  readonly redeliveryMs: number;
  readonly commandsPerPoll: number;
  readonly clock: Clock;
  readonly push: InboundPush;
  /** The orders' table; absent without DATABASE_URL (then no commands are consumed either). */
  readonly orders?: BookingOrders;
  /** The OpenAPI document, served as it is. */
  readonly openApi: unknown;
  readonly logger: DialectLogger;
  /** Where pushes are kept as received (RAW_PAYLOAD_DIR), so a bad mapping can be replayed. */
  readonly archive?: RawPayloadArchive;
}

export interface InboundApiCounters {
  accepted: number;
  /** Requests refused, by code. */
  refused: Record<string, number>;
  /** Outcomes posted after their order's deadline (the MIS must undo what it did). */
  lateOutcomes: number;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface Call {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The body as read, once a handler has read it. */
  readonly read: { body?: string };
}

/** How often a wait reads the table again for what another instance of the adapter did. */
const recheckMs = 200;

const refusal = ({ refused, message, fields }: InboundRefusal): Answer => ({
  status: inboundStatusOf[refused],
  body: fields ? { code: refused, message, fields } : { code: refused, message },
});

const ok = (body: unknown): Answer => ({ status: 200, body });

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * The inbound API on the adapter's HTTP port: a home-grown MIS pushes its organisations, resources and
 * slots, takes its booking orders by long poll and answers each. Every call but the OpenAPI document
 * needs a key; a call for an organisation outside the adapter's scope is refused before anything is
 * read or published. Bodies are read up to their limit and validated whole; nothing of them is logged.
 */
export class InboundApi {
  readonly counters: InboundApiCounters = { accepted: 0, refused: {}, lateOutcomes: 0 };
  private readonly keyDigests: readonly Buffer[];
  private readonly scope: ReadonlySet<string>;
  private lastCallAt: Date | null = null;
  private stopping = false;

  constructor(private readonly options: InboundApiOptions) {
    this.keyDigests = options.apiKeys.map(digest);
    this.scope = new Set(options.organisations);
  }

  /** When the MIS last called with a valid key; null before it did. */
  get lastContactAt(): Date | null {
    return this.lastCallAt;
  }

  routes(): readonly DialectRoute[] {
    return [
      this.route('PUT', inboundPaths.organisation, (call) => this.putOrganisation(call), 'putOrganisation'),
      this.route('PUT', inboundPaths.resources, (call) => this.putResources(call), 'putResources'),
      this.route('PUT', inboundPaths.slots, (call) => this.putSlots(call), 'putSlots'),
      this.route('GET', inboundPaths.commands, (call) => this.listCommands(call)),
      this.route('POST', inboundPaths.outcome, (call) => this.postOutcome(call)),
      { method: 'GET', path: inboundPaths.openApi, handle: async (req, res) => this.reply(req, res, ok(this.options.openApi)) },
    ];
  }

  /** Ends the long polls in progress. */
  stop(): void {
    this.stopping = true;
    this.options.orders?.wakeAll();
  }

  /** A route behind the key; `archivedAs` keeps the bodies it read in the raw archive under that operation. */
  private route(method: DialectRoute['method'], template: string, handle: (call: Call) => Promise<Answer>, archivedAs?: string): DialectRoute {
    return {
      method,
      path: template,
      handle: async (req, res) => {
        const [path = '', search = ''] = (req.url ?? '').split('?', 2);
        const read: Call['read'] = {};
        let answer: Answer;
        if (!this.authorised(req)) {
          answer = refusal({ refused: InboundCode.invalidApiKey, message: 'a valid API key is required (Authorization: Bearer <key>)' });
        } else {
          this.lastCallAt = this.options.clock.now();
          const params = routeParamsOf(template, path);
          answer = params
            ? await handle({ req, params, query: new URLSearchParams(search), read })
            : refusal({ refused: InboundCode.invalidPath, message: 'a path segment is not valid percent-encoding' });
        }
        if (answer.status < 400) this.counters.accepted += 1;
        else this.refused(method, template, answer);
        if (archivedAs !== undefined && read.body !== undefined) await this.archived(archivedAs, read.body, answer);
        await this.reply(req, res, answer);
      },
    };
  }

  private async archived(operation: string, body: string, answer: Answer): Promise<void> {
    const accepted = answer.status < 400;
    try {
      await this.options.archive?.store({
        operation,
        body,
        fetchedAt: this.options.clock.now(),
        accepted,
        ...(accepted ? {} : { rejection: (answer.body as { code: string }).code }),
      });
    } catch (error) {
      this.options.logger.warn('raw payload not archived', { operation, error: describeError(error) });
    }
  }

  private async putOrganisation({ req, params, read }: Call): Promise<Answer> {
    const organisationOid = params['organisationOid'] ?? '';
    const outOfScope = this.scopeRefusal(organisationOid);
    if (outOfScope) return outOfScope;
    const body = await this.body(req, read, organisationBodySchema);
    if ('refused' in body) return refusal(body);
    return this.pushed(await this.options.push.organisation(organisationOid, body.value));
  }

  private async putResources({ req, params, read }: Call): Promise<Answer> {
    const organisationOid = params['organisationOid'] ?? '';
    const outOfScope = this.scopeRefusal(organisationOid);
    if (outOfScope) return outOfScope;
    const body = await this.body(req, read, resourcesBodySchema);
    if ('refused' in body) return refusal(body);
    return this.pushed(await this.options.push.resources(organisationOid, body.value.resources));
  }

  private async putSlots({ req, params, query, read }: Call): Promise<Answer> {
    const organisationOid = params['organisationOid'] ?? '';
    const outOfScope = this.scopeRefusal(organisationOid);
    if (outOfScope) return outOfScope;
    const localResourceId = localIdSchema.safeParse(params['localResourceId']);
    if (!localResourceId.success) return refusal({ refused: InboundCode.invalidPath, message: 'localResourceId is not a local id', fields: fieldErrorsOf(localResourceId.error) });
    const range = slotRangeQuerySchema.safeParse(Object.fromEntries(query));
    if (!range.success) return refusal({ refused: InboundCode.invalidQuery, message: 'the range needs from and to, YYYY-MM-DD', fields: fieldErrorsOf(range.error) });
    const body = await this.body(req, read, slotsBodySchema);
    if ('refused' in body) return refusal(body);
    return this.pushed(await this.options.push.slots(organisationOid, localResourceId.data, range.data, body.value.slots));
  }

  /** Long poll: the orders due now, or the first ones placed within `wait` seconds, or none. */
  private async listCommands({ req, query }: Call): Promise<Answer> {
    const { orders } = this.options;
    if (!orders) return refusal({ refused: InboundCode.commandsDisabled, message: 'the adapter has no database: it takes no booking commands' });
    const parsed = commandsQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) return refusal({ refused: InboundCode.invalidQuery, message: 'the query is not one of commands', fields: fieldErrorsOf(parsed.error) });
    const { organisationOid, wait = 0 } = parsed.data;
    if (organisationOid !== undefined) {
      const outOfScope = this.scopeRefusal(organisationOid);
      if (outOfScope) return outOfScope;
    }
    const oids = organisationOid === undefined ? [...this.scope] : [organisationOid];
    const until = this.options.clock.now().getTime() + wait * 1000;
    for (;;) {
      if (req.socket.destroyed) return ok({ commands: [] });
      const due = await orders.deliver(oids, this.options.redeliveryMs, this.options.commandsPerPoll);
      const left = until - this.options.clock.now().getTime();
      if (due.length > 0 || left <= 0 || this.stopping) {
        this.lastCallAt = this.options.clock.now();
        return ok({ commands: due.map(toCommandItem) });
      }
      await orders.waitForOrders(Math.min(recheckMs, left));
    }
  }

  private async postOutcome({ req, params, read }: Call): Promise<Answer> {
    const { orders } = this.options;
    if (!orders) return refusal({ refused: InboundCode.commandsDisabled, message: 'the adapter has no database: it takes no booking commands' });
    const commandId = params['commandId'] ?? '';
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(commandId)) {
      return refusal({ refused: InboundCode.invalidPath, message: 'commandId must be the UUID of an order' });
    }
    const body = await this.body(req, read, commandOutcomeBodySchema);
    if ('refused' in body) return refusal(body);
    const answer: OrderAnswer =
      body.value.outcome === 'done'
        ? { outcome: 'done', misAppointmentId: body.value.misAppointmentId ?? null }
        : { outcome: 'refused', code: body.value.code ?? '', message: redactText((body.value.message ?? '').trim()) };
    const recorded = await orders.answer(commandId, answer);
    switch (recorded.result) {
      case 'recorded':
      case 'repeated':
        return ok({ commandId, outcome: body.value.outcome });
      case 'not_found':
        return refusal({ refused: InboundCode.commandNotFound, message: 'no order has this commandId' });
      case 'expired':
        this.counters.lateOutcomes += 1;
        return refusal({
          refused: InboundCode.commandExpired,
          message: 'the order’s deadline passed before this answer: medbus answered DEADLINE_EXCEEDED, so undo what was done and push the slot again',
        });
      case 'conflict':
        return refusal({ refused: InboundCode.outcomeConflict, message: `the order was already answered ${recorded.order.state}; an answer cannot change` });
      default:
        recorded satisfies never;
        throw new Error('unknown answer result');
    }
  }

  /** Counts a refusal and logs its code and the fields it names: never a value, never a body. */
  private refused(method: string, template: string, answer: Answer): void {
    const { code, fields } = answer.body as { code: string; fields?: ReadonlyArray<{ path: string }> };
    this.counters.refused[code] = (this.counters.refused[code] ?? 0) + 1;
    this.options.logger.warn('inbound request refused', { route: `${method} ${template}`, code, ...(fields ? { fields: fields.map((f) => f.path) } : {}) });
  }

  private pushed(result: Pushed | InboundRefusal): Answer {
    return 'refused' in result ? refusal(result) : ok({ published: result.published, issues: result.issues });
  }

  private scopeRefusal(organisationOid: string): Answer | undefined {
    if (!organisationOidPattern.test(organisationOid)) return refusal({ refused: InboundCode.invalidPath, message: 'organisationOid must be an OID such as 1.2.643.5.1.13.13.12.2.23.1037' });
    if (this.scope.has(organisationOid)) return undefined;
    return refusal({ refused: InboundCode.organisationNotServed, message: `organisation ${organisationOid} is not registered to this adapter; nothing was published` });
  }

  /** The body as the schema reads it, or why it is refused. */
  private async body<T>(req: IncomingMessage, read: Call['read'], schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<{ readonly value: T } | InboundRefusal> {
    if (!/^application\/json\s*(;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
      return { refused: InboundCode.unsupportedMediaType, message: 'send application/json' };
    }
    const raw = await readBodyUpTo(req, this.options.maxBodyBytes);
    if (raw === undefined) return { refused: InboundCode.bodyTooLarge, message: `the body exceeds ${this.options.maxBodyBytes} bytes` };
    read.body = raw.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(read.body);
    } catch {
      return { refused: InboundCode.malformedJson, message: 'the body is not JSON' };
    }
    const parsed = schema.safeParse(json);
    return parsed.success ? { value: parsed.data } : { refused: InboundCode.invalidBody, message: 'the body breaks the schema (GET /inbound/v1/openapi.json)', fields: fieldErrorsOf(parsed.error) };
  }

  private authorised(req: IncomingMessage): boolean {
    const header = String(req.headers['authorization'] ?? '');
    if (!header.startsWith('Bearer ')) return false;
    const given = digest(header.slice(7).trim());
    // Every key is compared, each in constant time, so timing tells nothing of which or how close.
    let match = false;
    for (const key of this.keyDigests) match = timingSafeEqual(given, key) || match;
    return match;
  }

  /** Answers once the request's body is read or drained: a client still writing would miss the answer. */
  private async reply(req: IncomingMessage, res: ServerResponse, answer: Answer): Promise<void> {
    if (!req.readableEnded) await discardRequestBody(req, this.options.maxBodyBytes * 4);
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      // A body too large to drain is left unread: the connection cannot carry another request.
      ...(req.readableEnded ? {} : { connection: 'close' }),
    });
    res.end(text);
  }
}
