import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import { AppError, ConflictError, NotFoundError, UnavailableError, ValidationError } from '@medbus/errors';
import { identifiedPatientSchema, identifyPath, type IdentifiedPatient, type IdentifyQuery } from '@medbus/identification';
import type { BookingConfig } from '../booking.config';
import { AdapterRegistry } from '../clients/adapter-registry.service';

export class MisUnavailableError extends UnavailableError {
  static readonly code = 'PATIENT.MIS_UNAVAILABLE';
}

/**
 * Synchronous patient look-ups at the MIS of an organisation, only through the adapter registered
 * for it (never whichever sent the last heartbeat: names and policy numbers go there). Patients are looked up, not streamed, so this is HTTP
 * with a timeout and one retry on a connection failure, not a Kafka event (docs/decisions/0006).
 */
@Injectable()
export class MisAdapterClient {
  private readonly urls: ReadonlyMap<string, string>;

  constructor(
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
    @Inject(AppConfig) private readonly config: BookingConfig,
  ) {
    this.urls = new Map(
      config.BOOKING_MIS_ADAPTERS.map((entry) => {
        const at = entry.indexOf('=');
        return [entry.slice(0, at), entry.slice(at + 1).replace(/\/+$/, '')] as const;
      }),
    );
  }

  async identify(query: IdentifyQuery): Promise<IdentifiedPatient> {
    const base = await this.adapterUrl(query.organisationOid);
    let lastError: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${base}${identifyPath}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.config.BOOKING_MIS_ADAPTER_API_KEY ? { authorization: `Bearer ${this.config.BOOKING_MIS_ADAPTER_API_KEY}` } : {}),
          },
          body: JSON.stringify(query),
          signal: AbortSignal.timeout(this.config.BOOKING_MIS_ADAPTER_TIMEOUT_MS),
        });
      } catch (error) {
        lastError = error;
        continue;
      }
      const body: unknown = await response.json().catch(() => ({}));
      const patient = response.ok ? identifiedPatientSchema.safeParse(body) : undefined;
      if (patient?.success) return patient.data;
      const error = body as { code?: unknown; message?: unknown };
      throw errorOf(response.status, typeof error.code === 'string' ? error.code : undefined, typeof error.message === 'string' ? error.message : undefined);
    }
    throw new MisUnavailableError(MisUnavailableError.code, 'the MIS adapter did not answer', { cause: lastError });
  }

  private async adapterUrl(organisationOid: string): Promise<string> {
    const adapterId = await this.registry.adapterOf(organisationOid);
    const url = adapterId ? this.urls.get(adapterId) : undefined;
    if (!url) {
      throw new NotFoundError('PATIENT.ORGANISATION_NOT_SERVED', 'no MIS adapter is known to serve this organisation', {
        details: { organisationOid, adapterId: adapterId ?? null },
      });
    }
    return url;
  }
}

class AdapterRefusal extends ValidationError {}
class AdapterNotFound extends NotFoundError {}
class AdapterConflict extends ConflictError {}

/** The adapter's refusal as this service's error, keeping its stable code. */
function errorOf(status: number, code: string | undefined, message: string | undefined): AppError {
  const text = message ?? `the MIS adapter answered ${status}`;
  if (status === 404) return new AdapterNotFound(code ?? 'PATIENT.NOT_FOUND', text);
  if (status === 409) return new AdapterConflict(code ?? 'PATIENT.AMBIGUOUS', text);
  if (status === 400 || status === 422) return new AdapterRefusal(code ?? 'PATIENT.QUERY_INVALID', text);
  return new MisUnavailableError(MisUnavailableError.code, `the MIS adapter answered ${status}${code ? ` (${code})` : ''}`);
}
