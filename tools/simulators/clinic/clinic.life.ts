import { seededRandom, type Random } from './region.generator';
import { addDays, type ScheduleState } from './schedule.state';

export interface LifeOptions {
  readonly seed: number;
  /** Walk-ins per second over the whole region. */
  readonly walkinRate: number;
  /** Front-desk cancellations per second over the whole region. */
  readonly cancelRate: number;
  /** Seconds per simulated day; 0 = days advance only on request. */
  readonly dayLength: number;
  /** Doctors falling ill per simulated day. */
  readonly sickPerDay: number;
  readonly log: (line: Record<string, unknown>) => void;
}

/**
 * The clinic's own life, independent of HubService callers: walk-ins and cancellations at the front
 * desk as Poisson processes, and, with a day length, nights that close a day, open a new one at the
 * end of the horizon and send a few doctors home ill.
 */
export class ClinicLife {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly random: Random;

  constructor(
    private readonly state: ScheduleState,
    private readonly options: LifeOptions,
  ) {
    this.random = seededRandom(options.seed ^ 0x11fe);
  }

  start(): void {
    this.poisson(this.options.walkinRate, () => {
      const slot = this.state.walkIn();
      if (slot) this.options.log({ msg: 'walk-in', idLpu: slot.idLpu, idAppointment: slot.id, version: slot.version });
    });
    this.poisson(this.options.cancelRate, () => {
      const slot = this.state.frontDeskCancel();
      if (slot) this.options.log({ msg: 'front-desk cancel', idLpu: slot.idLpu, idAppointment: slot.id, version: slot.version });
    });
    if (this.options.dayLength > 0) {
      const timer = setInterval(() => this.night(), this.options.dayLength * 1000);
      timer.unref();
      this.timers.add(timer);
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Advances the day and sends some doctors home ill (also what POST /admin/advance-day does, minus illness). */
  night(): void {
    const { closed, opened } = this.state.advanceDay();
    let ill = 0;
    for (let i = 0; i < this.options.sickPerDay; i++) {
      const doctors = this.state.region.doctors;
      const doctor = doctors[Math.floor(this.random() * doctors.length)];
      if (!doctor) break;
      this.state.sickDay(doctor.idLpu, doctor.idDoc, addDays(this.state.today, Math.floor(this.random() * 3)));
      ill++;
    }
    this.options.log({ msg: 'night', today: this.state.today, closed, opened, ill });
  }

  private poisson(ratePerSecond: number, act: () => unknown): void {
    if (ratePerSecond <= 0) return;
    const schedule = (): void => {
      const delay = (-Math.log(1 - this.random()) / ratePerSecond) * 1000;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        act();
        schedule();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    schedule();
  }
}
