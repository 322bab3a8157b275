import { Injectable } from '@nestjs/common';

/** The time the bus module closes tasks and finds silent adapters by; a manual one in tests. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
