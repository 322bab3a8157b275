import { loadConfig } from '@medbus/config';
import { CodeMap, DataQualityReport, ManualClock, Publication, defaultSpecialtyRules } from '@medbus/mis-adapter-kit';
import { inboundAdapterConfigSchema } from './inbound.config';
import { InboundDialect } from './inbound.dialect';
import { InboundCode } from './inbound.errors';
import { inboundOpenApi } from './inbound.openapi';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

function aDialect(): InboundDialect {
  const config = loadConfig(inboundAdapterConfigSchema, {
    KAFKA_BROKERS: '127.0.0.1:9092',
    KAFKA_CLIENT_ID: 'mis-adapter-inbound',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    OTEL_SERVICE_NAME: 'mis-adapter-inbound',
    ADAPTER_ID: 'inbound-poliklinika-3',
    HTTP_PORT: '7714',
    ADAPTER_ORGANISATIONS: '1.2.643.5.1.13.13.12.2.23.1037',
    INBOUND_API_KEYS: 'poliklinika-3-mis-key-2f9c41aa7e',
  });
  const clock = new ManualClock();
  const quality = new DataQualityReport();
  const publication = new Publication({ publishAll: async () => [] }, clock, new Set(config.ADAPTER_ORGANISATIONS), quality, quiet);
  return new InboundDialect(config, {
    adapterId: config.ADAPTER_ID,
    misVendor: config.MIS_VENDOR,
    publication,
    clock,
    codes: new CodeMap(),
    quality,
    logger: quiet,
    horizonDays: 14,
    bookingChannels: ['CONTACT_CENTRE'],
    specialtyRules: defaultSpecialtyRules,
    requestSync: () => undefined,
    openRawArchive: () => undefined,
  });
}

const documented = () =>
  Object.entries(inboundOpenApi.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

describe('the inbound API’s OpenAPI document', () => {
  it('documents every route of the dialect, and no route it does not have', () => {
    const routes = aDialect()
      .routes()
      .map((route) => `${route.method} ${route.path}`)
      .sort();

    expect(documented()).toEqual(routes);
  });

  it('is OpenAPI 3.1 with the request bodies as JSON Schema the adapter validates with, and every code it answers', () => {
    expect(inboundOpenApi.openapi).toBe('3.1.0');
    const slots = inboundOpenApi.components.schemas.Slots as { properties: { slots: { items: { required: string[]; properties: Record<string, unknown> } } } };
    expect(slots.properties.slots.items.required).toEqual(['localId', 'start', 'end', 'status']);
    expect(slots.properties.slots.items.properties['status']).toEqual({ type: 'string', enum: ['FREE', 'BOOKED', 'BLOCKED'] });
    expect(JSON.stringify(inboundOpenApi)).not.toContain('$schema');
    const answered = new Set(
      Object.values(inboundOpenApi.paths).flatMap((operations) =>
        Object.values(operations).flatMap((operation: { responses: Record<string, { description: string }> }) =>
          Object.values(operation.responses).flatMap((response) => response.description.split(', ')),
        ),
      ),
    );
    expect(Object.values(InboundCode).filter((code) => !answered.has(code))).toEqual([]);
  });
});
