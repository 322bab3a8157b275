import { Injectable } from '@nestjs/common';

/** The time the export works by ("future" slots, backoff deadlines, reconciliation schedule); a fixed one in tests. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
