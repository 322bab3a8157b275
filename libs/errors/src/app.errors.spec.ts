import {
  AppError,
  ConflictError,
  DecodingError,
  ForbiddenError,
  NotFoundError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  httpStatusOf,
  isRetryable,
} from './app.errors';

class SlotTakenError extends ConflictError {
  constructor() {
    super('BOOKING.SLOT_TAKEN', 'slot is taken');
  }
}

describe('AppError', () => {
  it('lets a service declare its own error with a stable code in one line', () => {
    const error = new SlotTakenError();

    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'BOOKING.SLOT_TAKEN', kind: 'conflict', message: 'slot is taken', name: 'SlotTakenError' });
  });

  it('keeps the wrapped error as its cause and carries safe details', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const error = new UnavailableError('MIS.UNAVAILABLE', 'the MIS does not answer', { cause, details: { vendor: 'samson' } });

    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ vendor: 'samson' });
  });

  it('has no cause and no details when none are given', () => {
    const error = new NotFoundError('BOOKING.APPOINTMENT_NOT_FOUND', 'no such appointment');

    expect('cause' in error).toBe(false);
    expect(error.details).toBeUndefined();
  });

  it('names undecodable Kafka messages KAFKA.DECODING_FAILED and never retries them', () => {
    const error = new DecodingError('unknown schema id 42', { cause: new Error('404') });

    expect(error).toMatchObject({ code: 'KAFKA.DECODING_FAILED', kind: 'validation', name: 'DecodingError' });
    expect(DecodingError.code).toBe('KAFKA.DECODING_FAILED');
    expect(isRetryable(error)).toBe(false);
  });
});

describe('httpStatusOf', () => {
  it.each([
    [new ValidationError('COMMON.VALIDATION', 'bad'), 400],
    [new UnauthorizedError('AUTH.MISSING_TOKEN', 'who are you'), 401],
    [new ForbiddenError('AUTH.FOREIGN_ORGANISATION', 'not yours'), 403],
    [new NotFoundError('BOOKING.SLOT_NOT_FOUND', 'no slot'), 404],
    [new SlotTakenError(), 409],
    [new UnavailableError('MIS.UNAVAILABLE', 'down'), 503],
    [new TimeoutError('FER.TIMEOUT', 'slow'), 504],
  ])('answers %p with %i', (error, status) => {
    expect(httpStatusOf(error)).toBe(status);
  });
});

describe('isRetryable', () => {
  it('retries a dependency that is down or slow', () => {
    expect(isRetryable(new UnavailableError('MIS.UNAVAILABLE', 'down'))).toBe(true);
    expect(isRetryable(new TimeoutError('FER.TIMEOUT', 'slow'))).toBe(true);
  });

  it('does not retry what the same input will always fail', () => {
    const permanent = [
      new ValidationError('COMMON.VALIDATION', 'bad'),
      new NotFoundError('BOOKING.SLOT_NOT_FOUND', 'no slot'),
      new SlotTakenError(),
      new UnauthorizedError('AUTH.MISSING_TOKEN', 'who are you'),
      new ForbiddenError('AUTH.FOREIGN_ORGANISATION', 'not yours'),
    ];

    expect(permanent.filter(isRetryable)).toEqual([]);
  });

  it('treats errors nobody classified as transient', () => {
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
    expect(isRetryable('a thrown string')).toBe(true);
  });
});
