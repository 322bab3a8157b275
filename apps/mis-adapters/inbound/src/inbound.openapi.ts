import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { inboundPaths } from './inbound.controller';
import { InboundCode, inboundStatusOf } from './inbound.errors';
import {
  commandOutcomeBodySchema,
  commandsResponseSchema,
  errorResponseSchema,
  localIdSchema,
  maxRangeDays,
  organisationBodySchema,
  organisationOidSchema,
  outcomeResponseSchema,
  publishedResponseSchema,
  resourcesBodySchema,
  slotsBodySchema,
} from './inbound-request.mapper';

/** A zod schema as JSON Schema 2019-09 (OpenAPI 3.1 takes it as it is), without its `$schema`. */
function jsonSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  const converted: Record<string, unknown> = { ...zodToJsonSchema(schema as unknown as Parameters<typeof zodToJsonSchema>[0], { target: 'jsonSchema2019-09', $refStrategy: 'none' }) };
  delete converted['$schema'];
  return converted;
}

const json = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });

/** The answers of the codes a route may give, grouped by status. */
function errors(...codes: InboundCode[]): Record<string, { description: string; content: ReturnType<typeof json> }> {
  const byStatus = new Map<number, string[]>();
  for (const code of [InboundCode.invalidApiKey, ...codes]) byStatus.set(inboundStatusOf[code], [...(byStatus.get(inboundStatusOf[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, named]) => [String(status), { description: named.join(', '), content: json('Error') }]));
}

const oidParameter = { name: 'organisationOid', in: 'path', required: true, schema: jsonSchema(organisationOidSchema) };
const bodyErrors = [InboundCode.invalidPath, InboundCode.unsupportedMediaType, InboundCode.bodyTooLarge, InboundCode.malformedJson, InboundCode.invalidBody] as const;
const pushed = { '200': { description: 'Applied; `published` is 0 when nothing changed since the last push', content: json('Published') } };

/**
 * The inbound API's OpenAPI 3.1 document, served at `GET /inbound/v1/openapi.json`. Bodies and answers
 * are the zod schemas the adapter validates with (inbound-request.mapper.ts), so the two cannot drift.
 */
export const inboundOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'medbus inbound MIS API',
    version: '1.0.0',
    description:
      'How a clinic’s own MIS (one without an API of its own) publishes its organisations, resources and slots to the regional bus, ' +
      'and carries out the booking orders medbus gives it. Every call but this document needs `Authorization: Bearer <key>`. ' +
      'Pushes are idempotent: the same body again publishes nothing. Local times are the organisation’s, in its IANA zone.',
  },
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A key the region issued to the clinic’s MIS (INBOUND_API_KEYS)' } },
    schemas: {
      Organisation: jsonSchema(organisationBodySchema),
      Resources: jsonSchema(resourcesBodySchema),
      Slots: jsonSchema(slotsBodySchema),
      Published: jsonSchema(publishedResponseSchema),
      Commands: jsonSchema(commandsResponseSchema),
      Outcome: jsonSchema(commandOutcomeBodySchema),
      OutcomeRecorded: jsonSchema(outcomeResponseSchema),
      Error: jsonSchema(errorResponseSchema),
    },
  },
  security: [{ apiKey: [] }],
  paths: {
    [inboundPaths.organisation]: {
      put: {
        operationId: 'putOrganisation',
        summary: 'State the organisation: names, district, address, time zone, whether it takes bookings',
        parameters: [oidParameter],
        requestBody: { required: true, content: json('Organisation') },
        responses: { ...pushed, ...errors(InboundCode.organisationNotServed, ...bodyErrors) },
      },
    },
    [inboundPaths.resources]: {
      put: {
        operationId: 'putResources',
        summary: 'State the organisation’s complete list of resources (doctors, cabinets); one left out loses its slots',
        parameters: [oidParameter],
        requestBody: { required: true, content: json('Resources') },
        responses: { ...pushed, ...errors(InboundCode.organisationNotServed, InboundCode.organisationNotFound, ...bodyErrors) },
      },
    },
    [inboundPaths.slots]: {
      put: {
        operationId: 'putSlots',
        summary: 'State every slot of a resource whose clinic-local start falls in [from, to]; one left out is removed',
        parameters: [
          oidParameter,
          { name: 'localResourceId', in: 'path', required: true, schema: jsonSchema(localIdSchema) },
          { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'First clinic-local day' },
          { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: `Last clinic-local day (inclusive), at most ${maxRangeDays} days on` },
        ],
        requestBody: { required: true, content: json('Slots') },
        responses: {
          ...pushed,
          ...errors(InboundCode.organisationNotServed, InboundCode.organisationNotFound, InboundCode.resourceNotFound, InboundCode.invalidQuery, InboundCode.slotOutsideRange, ...bodyErrors),
        },
      },
    },
    [inboundPaths.commands]: {
      get: {
        operationId: 'listCommands',
        summary: 'Take the booking orders due (long poll); an order unanswered is listed again after a while, so carry out a commandId once',
        parameters: [
          { name: 'organisationOid', in: 'query', required: false, schema: jsonSchema(organisationOidSchema) },
          { name: 'wait', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 25 }, description: 'Seconds to wait when nothing is due' },
        ],
        responses: {
          '200': { description: 'The orders due, oldest first; empty when none came within `wait`', content: json('Commands') },
          ...errors(InboundCode.organisationNotServed, InboundCode.invalidQuery, InboundCode.commandsDisabled),
        },
      },
    },
    [inboundPaths.outcome]: {
      post: {
        operationId: 'postOutcome',
        summary: 'Answer an order: done (a booking with the MIS’s appointment id) or refused with a code; the same answer again is accepted',
        parameters: [{ name: 'commandId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, content: json('Outcome') },
        responses: {
          '200': { description: 'Recorded (or repeated)', content: json('OutcomeRecorded') },
          ...errors(InboundCode.commandNotFound, InboundCode.commandExpired, InboundCode.outcomeConflict, InboundCode.commandsDisabled, ...bodyErrors),
        },
      },
    },
    [inboundPaths.openApi]: {
      get: {
        operationId: 'openApi',
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
} as const;
