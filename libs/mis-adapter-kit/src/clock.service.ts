/** Where adapters read the time; injected so breakers, limiters and versions are testable. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that moves only when told to, for tests of time-dependent behaviour. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string | number = '2026-03-02T08:00:00+03:00') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
