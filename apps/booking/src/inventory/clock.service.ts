import { Injectable } from '@nestjs/common';

/** The time the API answers for ("now" of a search, staleness); a fixed one in tests. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
