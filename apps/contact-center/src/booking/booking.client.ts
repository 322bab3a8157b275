import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '@medbus/config';
import { UnavailableError, ValidationError } from '@medbus/errors';
import { introspectionSchema, type Introspection, type Introspector } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';

const adaptersSchema = z.object({
  items: z.array(z.object({ adapterId: z.string().min(1), organisations: z.array(z.string().min(1)) })),
});

/** An MIS adapter and the organisations registered to it (`GET /v1/adapters`). */
export type RegisteredAdapter = z.output<typeof adaptersSchema>['items'][number];

export const BookingClientCode = {
  unreachable: 'CC.BOOKING_UNREACHABLE',
  badResponse: 'CC.BOOKING_BAD_RESPONSE',
} as const;

const attempts = 3;
const retryBaseMs = 200;

type BookingClientConfig = Pick<ContactCenterConfig, 'BOOKING_URL' | 'CC_BOOKING_API_KEY' | 'BOOKING_TIMEOUT_MS'>;

/**
 * What the contact centre asks the booking service, with its own key (role CONTACT_CENTRE): whose a
 * presented key is, and which adapter serves which organisation. Both calls are reads: retried with
 * backoff after a connection failure or timeout, each attempt bounded by BOOKING_TIMEOUT_MS.
 */
@Injectable()
export class BookingClient implements Introspector {
  private readonly baseUrl: string;

  constructor(@Inject(AppConfig) private readonly config: BookingClientConfig) {
    this.baseUrl = config.BOOKING_URL.replace(/\/+$/, '');
  }

  async introspect(credential: string): Promise<Introspection> {
    return this.read(introspectionSchema, 'POST', '/v1/auth/introspect', { credential });
  }

  async adapters(): Promise<RegisteredAdapter[]> {
    return (await this.read(adaptersSchema, 'GET', '/v1/adapters')).items;
  }

  private async read<S extends z.ZodTypeAny>(schema: S, method: 'GET' | 'POST', path: string, body?: unknown): Promise<z.output<S>> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.config.CC_BOOKING_API_KEY}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.config.BOOKING_TIMEOUT_MS),
        });
      } catch (error) {
        if (attempt >= attempts) throw new UnavailableError(BookingClientCode.unreachable, `booking did not answer ${path}`, { cause: error });
        // Full jitter: instances that lost booking together do not come back in step.
        await sleep(Math.random() * retryBaseMs * 2 ** (attempt - 1));
        continue;
      }
      const text = await response.text();
      // Booking answering 400 to an introspection is a key it cannot read: a "no", not an outage.
      if (response.status === 400) throw new ValidationError('CC.BOOKING_REFUSED_INPUT', `booking refused the input of ${path}`);
      if (!response.ok) throw new UnavailableError(BookingClientCode.badResponse, `booking answered HTTP ${response.status} to ${path}`);
      const parsed = schema.safeParse(text === '' ? undefined : JSON.parse(text));
      if (!parsed.success) throw new UnavailableError(BookingClientCode.badResponse, `booking answered ${path} with something its API does not`);
      return parsed.data;
    }
  }
}
