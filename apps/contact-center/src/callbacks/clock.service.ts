import { Injectable } from '@nestjs/common';

/** The service's own time (attempt schedule, stale attempts); a fixed or advanced one in tests. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
