import { Global, Injectable, Module } from '@nestjs/common';

/** The contact centre's time: appeals' deadlines, call-back schedules, tasks and silent adapters; a test sets or moves its own. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Provides the one Clock to every module; imported once, by the root module (a test's root provides its own instead). */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {}
