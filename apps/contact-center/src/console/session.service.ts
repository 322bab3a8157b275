import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { AppConfig } from '@medbus/config';
import { AppError, ErrorKind } from '@medbus/errors';
import { CredentialsService, type Caller } from '@medbus/service-auth';
import { staffRoles } from '../auth/access.mapper';
import { CallerCipher } from '../calls/caller-protection.service';
import { LiveQueueService } from '../calls/live-queue.service';
import { Clock } from '../clock.service';
import type { ContactCenterConfig } from '../contact-center.config';
import { checkSeatBranch, seatOf, type LoginRequest } from './console-request.mapper';
import { LoginFailedError, RoleNotAllowedError, TooManyAttemptsError } from './console.errors';

/** A signed-in person as the console knows him; `apiKey` never leaves this process except to booking and our own guard. */
export interface ConsoleSession {
  readonly tokenHash: string;
  readonly caller: Caller;
  readonly seat: string | null;
  readonly apiKey: string;
}

/** What the browser is told of its session. */
export interface SessionView {
  readonly clientId: string;
  readonly role: string;
  readonly branch: string | null;
  readonly seat: string | null;
}

export function sessionViewOf(session: ConsoleSession): SessionView {
  return { clientId: session.caller.clientId, role: session.caller.role, branch: session.caller.branch, seat: session.seat };
}

interface SessionRow {
  token_hash: string;
  client_id: string;
  role: string;
  branch: string | null;
  seat: string | null;
  api_key: string;
  last_seen_at: Date;
  expires_at: Date;
}

type SessionConfig = Pick<ContactCenterConfig, 'CC_HEAD_BRANCH' | 'CC_CONSOLE_SESSION_IDLE_MINUTES' | 'CC_CONSOLE_SESSION_MAX_HOURS' | 'CC_CONSOLE_LOGIN_FAILURES' | 'CC_CONSOLE_LOGIN_WINDOW_SECONDS'>;

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
/** A session used again within this long is not written again (its idle expiry moves in steps of it). */
const touchEveryMs = 30_000;

const digestOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * Owner of `console_session`. A sign-in checks the key at booking (CredentialsService), the role and the
 * seat, and stores the key encrypted under the SHA-256 of a random token the browser keeps in a cookie.
 * Every use checks the key again (booking's answer is cached 5 s): a revoked key ends the session.
 * Idle and absolute expiry are read on the injected clock; an expired session is deleted when met.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);
  private readonly failures: RateLimiterMemory;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: SessionConfig,
    @Inject(CredentialsService) private readonly credentials: CredentialsService,
    @Inject(CallerCipher) private readonly cipher: CallerCipher,
    @Inject(LiveQueueService) private readonly queues: LiveQueueService,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.failures = new RateLimiterMemory({ points: config.CC_CONSOLE_LOGIN_FAILURES, duration: config.CC_CONSOLE_LOGIN_WINDOW_SECONDS });
  }

  /** How long the cookie may live: the absolute expiry. */
  get maxAgeSeconds(): number {
    return this.config.CC_CONSOLE_SESSION_MAX_HOURS * 3600;
  }

  /** Signs a person in from `remoteAddress`: the new session's token (for the cookie) and what the browser is told. */
  async open(request: LoginRequest, remoteAddress: string): Promise<{ token: string; session: ConsoleSession }> {
    const counted = await this.failures.get(remoteAddress);
    if (counted !== null && counted.consumedPoints >= this.config.CC_CONSOLE_LOGIN_FAILURES) throw new TooManyAttemptsError(Math.ceil(counted.msBeforeNext / 1000));
    let caller: Caller;
    try {
      caller = await this.credentials.authenticate(request.apiKey);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== ErrorKind.unauthorized) throw error;
      await this.failures.consume(remoteAddress).catch(() => undefined);
      throw new LoginFailedError();
    }
    if (!(staffRoles as readonly string[]).includes(caller.role)) throw new RoleNotAllowedError(caller.role);
    const seat = seatOf(caller.role, request.seat);
    if (seat !== null) checkSeatBranch(caller.branch, this.config.CC_HEAD_BRANCH, this.queues.branchesOfSeat(seat));

    const token = randomBytes(32).toString('base64url');
    const tokenHash = digestOf(token);
    const now = this.clock.now();
    await this.dataSource.query(`DELETE FROM console_session WHERE expires_at <= $1 OR last_seen_at <= $2`, [now, this.idleCutoff(now)]);
    await this.dataSource.query(
      `INSERT INTO console_session (token_hash, client_id, role, branch, seat, api_key, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
      [tokenHash, caller.clientId, caller.role, caller.branch, seat, this.cipher.encrypt(request.apiKey, `console_session:${tokenHash}`), now, new Date(now.getTime() + this.maxAgeSeconds * 1000)],
    );
    this.logger.log(`console session opened for ${caller.clientId} (${caller.role})`);
    return { token, session: { tokenHash, caller, seat, apiKey: request.apiKey } };
  }

  /**
   * The live session of a cookie's token, or null (none, expired, its key revoked or changed: deleted
   * then). `touch`: a request by the person (moves the idle expiry); a push tick does not.
   */
  async resolve(token: string | undefined, touch = true): Promise<ConsoleSession | null> {
    if (token === undefined || !tokenPattern.test(token)) return null;
    const tokenHash = digestOf(token);
    const [row]: SessionRow[] = await this.dataSource.query(`SELECT token_hash, client_id, role, branch, seat, api_key, last_seen_at, expires_at FROM console_session WHERE token_hash = $1`, [tokenHash]);
    if (!row) return null;
    const now = this.clock.now();
    if (row.expires_at <= now || row.last_seen_at <= this.idleCutoff(now)) return this.end(tokenHash);
    const apiKey = this.cipher.decrypt(row.api_key, `console_session:${tokenHash}`);
    let caller: Caller;
    try {
      caller = await this.credentials.authenticate(apiKey);
    } catch (error) {
      if (error instanceof AppError && error.kind === ErrorKind.unauthorized) return this.end(tokenHash);
      throw error;
    }
    // Booking changed who this is (role or branch): what the console was told at sign-in no longer holds.
    if (caller.clientId !== row.client_id || caller.role !== row.role || caller.branch !== row.branch) return this.end(tokenHash);
    if (touch && now.getTime() - row.last_seen_at.getTime() >= touchEveryMs) {
      await this.dataSource.query(`UPDATE console_session SET last_seen_at = $2 WHERE token_hash = $1`, [tokenHash, now]);
    }
    return { tokenHash, caller, seat: row.seat, apiKey };
  }

  /** Signs out: the session is deleted. */
  async close(tokenHash: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM console_session WHERE token_hash = $1`, [tokenHash]);
  }

  private async end(tokenHash: string): Promise<null> {
    await this.close(tokenHash);
    return null;
  }

  private idleCutoff(now: Date): Date {
    return new Date(now.getTime() - this.config.CC_CONSOLE_SESSION_IDLE_MINUTES * 60_000);
  }
}
