import { MisResponseRejectedError, type CircuitBreaker, type MisResponseRejection, type TokenBucket } from '@medbus/mis-adapter-kit';
import { decodeAnswer, type BookingAnswer, type BookingMessage, type EncodedMessage } from './booking-message.mapper';
import { assertServed, basicAuthorization, bodyUpTo, misFetch } from './xmldump-http.client';

export interface BookingClientOptions {
  /** `POST` target of the messages, e.g. `https://mis.example/booking`. */
  readonly url: string;
  readonly login: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly breaker: CircuitBreaker;
  readonly limiter: TokenBucket;
  /** Called after each call: whether the MIS answered. */
  readonly onAnswered: (answered: boolean) => void;
  /** Called for every answer refused as unreadable (counted and logged by the caller). */
  readonly onRejected: (message: BookingMessage, reason: MisResponseRejection) => void;
}

/** The vendor takes a request it cannot read with `<Error>` and one of these statuses: an answer, not an outage. */
const requestRefusals: ReadonlySet<number> = new Set([400, 413, 415]);

/**
 * The vendor's booking messages over HTTP (`POST`, Basic auth, `application/xml`): one call per
 * message, not retried here (for a booking only the caller knows whether trying again is safe, see
 * `mayHaveReachedMis`). Rate limit and circuit breaker apply; a refusal is returned as the answer
 * it is, not thrown.
 */
export class BookingClient {
  private readonly authorization: string;

  constructor(private readonly options: BookingClientOptions) {
    this.authorization = basicAuthorization(options.login, options.password);
  }

  async send<M extends BookingMessage>(request: EncodedMessage<M>): Promise<BookingAnswer<M>> {
    await this.options.limiter.take();
    try {
      const answer = await this.options.breaker.run(async () => {
        const response = await misFetch(request.message, this.options.url, {
          method: 'POST',
          headers: { authorization: this.authorization, 'content-type': 'application/xml; charset=utf-8' },
          body: request.xml,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        await assertServed(request.message, response, (status) => status === 200 || requestRefusals.has(status));
        return bodyUpTo(request.message, response, this.options.maxResponseBytes);
      });
      this.options.onAnswered(true);
      return decodeAnswer(request.message, answer, this.options.maxResponseBytes);
    } catch (error) {
      const rejected = error instanceof MisResponseRejectedError;
      // A refused answer is an answer: the MIS is up.
      this.options.onAnswered(rejected);
      if (rejected) this.options.onRejected(request.message, error.reason);
      throw error;
    }
  }
}
