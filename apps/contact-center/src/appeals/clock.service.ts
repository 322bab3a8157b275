import { Injectable } from '@nestjs/common';

/** The time appeals are registered, escalated and followed up by; a manual one in tests. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
