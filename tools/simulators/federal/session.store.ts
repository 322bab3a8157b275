import { randomBytes } from 'node:crypto';

/** Milliseconds since the epoch; injected so tests advance time instead of sleeping. */
export type Clock = () => number;

export interface Session {
  readonly id: string;
  readonly login: string;
  readonly expiresAt: number;
}

/**
 * The federal side's sessions: a random Session_ID per OpenSession, valid for a fixed time from its
 * opening (not extended by use), after which every call with it is SESSION_INVALID.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {}

  open(login: string): Session {
    this.sweep();
    const session = { id: randomBytes(18).toString('base64url'), login, expiresAt: this.clock() + this.ttlSeconds * 1000 };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of an id, or undefined when unknown or expired. */
  find(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session && session.expiresAt <= this.clock()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  close(id: string): boolean {
    return this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Forgets expired sessions so a client that never closes its sessions does not grow the map forever. */
  private sweep(): void {
    const now = this.clock();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
