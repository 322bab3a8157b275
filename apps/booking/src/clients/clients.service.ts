import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { BookingChannel } from '@medbus/contracts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@medbus/errors';
import { Clock } from '../inventory/clock.service';
import { Role, adapterIdPattern, branchProblem, channelOf, clientIdPattern, roles, type Caller } from './access.mapper';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export const AuthErrorCode = {
  missingCredentials: 'AUTH.MISSING_API_KEY',
  invalidCredentials: 'AUTH.INVALID_API_KEY',
  credentialRevoked: 'AUTH.CREDENTIAL_REVOKED',
  credentialExpired: 'AUTH.CREDENTIAL_EXPIRED',
  forbidden: 'AUTH.FORBIDDEN',
  unknownClient: 'AUTH.UNKNOWN_CLIENT',
  clientExists: 'AUTH.CLIENT_EXISTS',
  organisationTaken: 'AUTH.ORGANISATION_SERVED_BY_ANOTHER_ADAPTER',
  invalidClient: 'AUTH.INVALID_CLIENT',
} as const;

export class AuthenticationError extends UnauthorizedError {}

export const missingCredentials = (): AuthenticationError =>
  new AuthenticationError(AuthErrorCode.missingCredentials, 'send an API key as `Authorization: Bearer <key>`');
export const invalidCredentials = (): AuthenticationError => new AuthenticationError(AuthErrorCode.invalidCredentials, 'the API key is not valid');

/** An API key as issued: `mbk.<credential id>.<secret>`; only the secret's SHA-256 digest is stored. */
const tokenPattern = /^mbk\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

/** The public id part of a presented key (whatever its secret), for the audit of a refusal; never the secret. */
export function credentialIdOf(token: string | undefined): string | null {
  const match = token ? /^mbk\.([0-9a-f]{16})\./.exec(token) : null;
  return match ? match[1] : null;
}
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The digest a HubService client's guid is stored and looked up by (guids compare case-insensitively). */
export function guidDigestOf(guid: string): Buffer {
  return digestOf(guid.trim().toLowerCase());
}

export interface IssuedCredential {
  readonly clientId: string;
  readonly credentialId: string;
  /** The API key or guid: shown once, never stored. */
  readonly secret: string;
  readonly expiresAt: Date | null;
}

export interface ClientView {
  readonly clientId: string;
  readonly role: Role;
  readonly channel: BookingChannel;
  /** Its branch of the contact centre; null: none, or the head centre. */
  readonly branch: string | null;
  readonly revokedAt: Date | null;
  readonly organisations: string[];
  readonly credentials: { credentialId: string; kind: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null }[];
}

/** A presented key's standing: a live one names its client and its contact-centre branch; a dead one says nothing more. */
export type Introspection = { readonly active: false } | ({ readonly active: true; readonly expiresAt: Date | null; readonly branch: string | null } & Caller);

export interface NewClient {
  readonly clientId: string;
  readonly role: Role;
  /** Channel of a HUB_CLIENT or PORTAL (the other roles' is fixed). */
  readonly channel?: string;
  /**
   * Its branch of the contact centre: a BRANCH_SUPERVISOR's (required), an OPERATOR's or SECOND_LINE's
   * home branch (absent: the head centre); no other role has one. Absent on a known client: kept.
   */
  readonly branch?: string;
}

interface CredentialRow {
  credential_id: string;
  client_id: string;
  secret_digest: Buffer;
  expires_at: Date | null;
  revoked_at: Date | null;
  role: Role;
  channel: string | null;
  branch: string | null;
  client_revoked_at: Date | null;
}

interface Cached {
  readonly row: CredentialRow | undefined;
  readonly loadedAt: number;
}

/** Revocation reaches every instance within this long: credentials are re-read from the database after it. */
export const credentialCacheMs = 5_000;
const dummyDigest = digestOf('medbus: compared when the credential id is unknown, so timing does not tell');

/**
 * The client registry: issues, rotates and revokes credentials, and authenticates callers by them.
 * Written by this module only (the CLI goes through it too).
 */
@Injectable()
export class ClientsService {
  private readonly cache = new Map<string, Cached>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The caller an API key belongs to, or AUTH.INVALID_API_KEY / CREDENTIAL_REVOKED / CREDENTIAL_EXPIRED. */
  async authenticate(token: string): Promise<Caller> {
    return this.callerOf(await this.apiKey(token));
  }

  /**
   * What an API key presented to another service stands for (RFC 7662 in spirit), by the same check
   * and cache as {@link authenticate}: inactive whatever the reason, which is not told.
   */
  async introspect(token: string): Promise<Introspection> {
    try {
      const row = await this.apiKey(token);
      const caller = this.callerOf(row);
      return { active: true, ...caller, branch: row.branch, expiresAt: row.expires_at };
    } catch (error) {
      if (error instanceof AuthenticationError) return { active: false };
      throw error;
    }
  }

  /** The HubService client a guid belongs to, or undefined. */
  async authenticateGuid(guid: string): Promise<Caller | undefined> {
    if (!guidPattern.test(guid.trim())) return undefined;
    const digest = guidDigestOf(guid);
    const key = `guid:${digest.toString('hex')}`;
    const row = await this.cached(key, async () => {
      const rows: CredentialRow[] = await this.dataSource.query(`${credentialSelect} WHERE c.kind = 'HUB_GUID' AND c.secret_digest = $1`, [digest]);
      return rows[0];
    });
    if (!row) return undefined;
    return this.callerOf(row);
  }

  async issue(client: NewClient, options: { expiresAt?: Date; guid?: string } = {}): Promise<IssuedCredential> {
    checkNewClient(client);
    return this.dataSource.transaction(async (tx) => {
      const existing: { role: Role; branch: string | null }[] = await tx.query(`SELECT role, branch FROM auth_client WHERE client_id = $1 FOR UPDATE`, [
        client.clientId,
      ]);
      if (existing[0] && existing[0].role !== client.role) {
        throw new ConflictError(AuthErrorCode.clientExists, `client ${client.clientId} exists with role ${existing[0].role}`);
      }
      checkBranch(client.role, client.branch ?? existing[0]?.branch ?? null);
      if (!existing[0]) {
        await tx.query(`INSERT INTO auth_client (client_id, role, channel, branch) VALUES ($1, $2, $3, $4)`, [
          client.clientId,
          client.role,
          client.channel ?? null,
          client.branch ?? null,
        ]);
      } else {
        await tx.query(`UPDATE auth_client SET revoked_at = NULL, channel = coalesce($2, channel), branch = coalesce($3, branch) WHERE client_id = $1`, [
          client.clientId,
          client.channel ?? null,
          client.branch ?? null,
        ]);
        this.cache.clear();
      }
      return this.newCredential(tx, client.clientId, client.role, options);
    });
  }

  /**
   * A new credential for the client; its other live credentials stay valid for `graceMs` more (two at once),
   * so callers can switch without downtime, then expire.
   */
  async rotate(clientId: string, graceMs: number): Promise<IssuedCredential> {
    return this.dataSource.transaction(async (tx) => {
      const client = await lockedClient(tx, clientId);
      const until = new Date(this.clock.now().getTime() + graceMs);
      await tx.query(
        `UPDATE auth_credential SET expires_at = least(coalesce(expires_at, $2), $2)
         WHERE client_id = $1 AND revoked_at IS NULL`,
        [clientId, until],
      );
      this.cache.clear();
      return this.newCredential(tx, clientId, client.role, {});
    });
  }

  /** Revokes one credential, or the client and all its credentials. Effective everywhere within {@link credentialCacheMs}. */
  async revoke(clientId: string, credentialId?: string): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      await lockedClient(tx, clientId);
      const now = this.clock.now();
      if (credentialId === undefined) await tx.query(`UPDATE auth_client SET revoked_at = $2 WHERE client_id = $1`, [clientId, now]);
      const rows: unknown[] = await tx.query(
        `WITH revoked AS (
           UPDATE auth_credential SET revoked_at = $3 WHERE client_id = $1 AND ($2::text IS NULL OR credential_id = $2) AND revoked_at IS NULL RETURNING 1
         ) SELECT * FROM revoked`,
        [clientId, credentialId ?? null, now],
      );
      const revoked = rows.length;
      if (credentialId !== undefined && revoked === 0) throw new NotFoundError(AuthErrorCode.unknownClient, `no live credential ${credentialId} of ${clientId}`);
      this.cache.clear();
      return revoked;
    });
  }

  async list(): Promise<ClientView[]> {
    const clients: { client_id: string; role: Role; channel: string | null; branch: string | null; revoked_at: Date | null; organisations: string[] | null }[] =
      await this.dataSource.query(
        `SELECT c.client_id, c.role, c.channel, c.branch, c.revoked_at,
           (SELECT array_agg(organisation_oid ORDER BY organisation_oid) FROM auth_adapter_organisation a WHERE a.adapter_id = c.client_id) AS organisations
         FROM auth_client c ORDER BY c.client_id`,
      );
    const credentials: { credential_id: string; client_id: string; kind: string; created_at: Date; expires_at: Date | null; revoked_at: Date | null }[] =
      await this.dataSource.query(`SELECT credential_id, client_id, kind, created_at, expires_at, revoked_at FROM auth_credential ORDER BY created_at`);
    return clients.map((client) => ({
      clientId: client.client_id,
      role: client.role,
      channel: channelOf(client.role, client.channel),
      branch: client.branch,
      revokedAt: client.revoked_at,
      organisations: client.organisations ?? [],
      credentials: credentials
        .filter((credential) => credential.client_id === client.client_id)
        .map((credential) => ({
          credentialId: credential.credential_id,
          kind: credential.kind,
          createdAt: credential.created_at,
          expiresAt: credential.expires_at,
          revokedAt: credential.revoked_at,
        })),
    }));
  }

  private async newCredential(tx: Queryable, clientId: string, role: Role, options: { expiresAt?: Date; guid?: string }): Promise<IssuedCredential> {
    const credentialId = randomBytes(8).toString('hex');
    if (role === Role.HUB_CLIENT) {
      const guid = options.guid ?? randomUUID();
      if (!guidPattern.test(guid)) throw new ValidationError(AuthErrorCode.invalidClient, 'a HubService guid is a UUID');
      const inserted: unknown[] = await tx.query(
        `INSERT INTO auth_credential (credential_id, client_id, kind, secret_digest, expires_at) VALUES ($1, $2, 'HUB_GUID', $3, $4)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [credentialId, clientId, guidDigestOf(guid), options.expiresAt ?? null],
      );
      if (inserted.length === 0) throw new ConflictError(AuthErrorCode.clientExists, 'this guid is already registered');
      return { clientId, credentialId, secret: guid.toLowerCase(), expiresAt: options.expiresAt ?? null };
    }
    const secret = randomBytes(32).toString('base64url');
    await tx.query(`INSERT INTO auth_credential (credential_id, client_id, kind, secret_digest, expires_at) VALUES ($1, $2, 'API_KEY', $3, $4)`, [
      credentialId,
      clientId,
      digestOf(secret),
      options.expiresAt ?? null,
    ]);
    return { clientId, credentialId, secret: `mbk.${credentialId}.${secret}`, expiresAt: options.expiresAt ?? null };
  }

  private async apiKey(token: string): Promise<CredentialRow> {
    const match = tokenPattern.exec(token);
    if (!match) throw invalidCredentials();
    const row = await this.credential(match[1], 'API_KEY');
    const presented = digestOf(match[2]);
    const matches = timingSafeEqual(presented, row?.secret_digest ?? dummyDigest) && row !== undefined;
    if (!matches || !row) throw invalidCredentials();
    return row;
  }

  private async credential(credentialId: string, kind: 'API_KEY'): Promise<CredentialRow | undefined> {
    return this.cached(`key:${credentialId}`, async () => {
      const rows: CredentialRow[] = await this.dataSource.query(`${credentialSelect} WHERE c.credential_id = $1 AND c.kind = $2`, [credentialId, kind]);
      return rows[0];
    });
  }

  private async cached(key: string, load: () => Promise<CredentialRow | undefined>): Promise<CredentialRow | undefined> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.loadedAt < credentialCacheMs) return hit.row;
    const row = await load();
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { row, loadedAt: now });
    return row;
  }

  private callerOf(row: CredentialRow): Caller {
    const now = this.clock.now();
    if (row.revoked_at || row.client_revoked_at) throw new AuthenticationError(AuthErrorCode.credentialRevoked, 'the credential was revoked');
    if (row.expires_at && row.expires_at <= now) throw new AuthenticationError(AuthErrorCode.credentialExpired, 'the credential has expired: use the rotated one');
    return { clientId: row.client_id, role: row.role, channel: channelOf(row.role, row.channel) };
  }
}

const credentialSelect = `
  SELECT c.credential_id, c.client_id, c.secret_digest, c.expires_at, c.revoked_at, k.role, k.channel, k.branch, k.revoked_at AS client_revoked_at
  FROM auth_credential c JOIN auth_client k ON k.client_id = c.client_id`;

function checkNewClient(client: NewClient): void {
  const problems: string[] = [];
  if (!clientIdPattern.test(client.clientId)) problems.push(`client id must match ${clientIdPattern}`);
  if (!roles.includes(client.role)) problems.push(`role must be one of ${roles.join(', ')}`);
  // An adapter is registered with its organisations by registerAdapter; it has no API key (Kafka authenticates it).
  if (client.role === Role.MIS_ADAPTER) problems.push('an MIS_ADAPTER is registered with its organisations (registerAdapter), not issued an API key');
  if (client.channel !== undefined && !(Object.values(BookingChannel) as string[]).includes(client.channel)) {
    problems.push(`channel must be one of ${Object.values(BookingChannel).join(', ')}`);
  }
  if (client.branch !== undefined && roles.includes(client.role)) {
    const problem = branchProblem(client.role, client.branch);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new ValidationError(AuthErrorCode.invalidClient, problems.join('; '), { details: { problems } });
}

/** The branch a client ends up with (given, or kept from its registration) must suit its role. */
function checkBranch(role: Role, branch: string | null): void {
  const problem = branchProblem(role, branch);
  if (problem) throw new ValidationError(AuthErrorCode.invalidClient, problem, { details: { problems: [problem] } });
}

async function lockedClient(tx: Queryable, clientId: string): Promise<{ role: Role }> {
  const rows: { role: Role }[] = await tx.query(`SELECT role FROM auth_client WHERE client_id = $1 FOR UPDATE`, [clientId]);
  if (!rows[0]) throw new NotFoundError(AuthErrorCode.unknownClient, `no client ${clientId}`);
  return rows[0];
}

/** Registers organisations to an adapter; one already served by another adapter is refused. */
async function assignOrganisations(tx: Queryable, adapterId: string, organisations: readonly string[]): Promise<void> {
  const taken: { organisation_oid: string; adapter_id: string }[] = await tx.query(
    `INSERT INTO auth_adapter_organisation (organisation_oid, adapter_id)
     SELECT unnest($1::text[]), $2
     ON CONFLICT (organisation_oid) DO UPDATE SET adapter_id = auth_adapter_organisation.adapter_id
     RETURNING organisation_oid, adapter_id`,
    [[...new Set(organisations)], adapterId],
  );
  const others = taken.filter((row) => row.adapter_id !== adapterId);
  if (others.length > 0) {
    throw new ConflictError(AuthErrorCode.organisationTaken, `${others.length} organisation(s) are served by another adapter`, {
      details: { organisationOid: others[0].organisation_oid, adapterId: others[0].adapter_id },
    });
  }
}

/**
 * Registers an MIS adapter and the organisations it serves (tests, the bench and the CLI): the
 * adapter client is created when absent; an organisation of another adapter is refused.
 */
export async function registerAdapter(db: DataSource, adapterId: string, organisationOids: readonly string[]): Promise<void> {
  if (!adapterIdPattern.test(adapterId)) throw new ValidationError(AuthErrorCode.invalidClient, `an adapter's id must match ${adapterIdPattern}`);
  await db.transaction(async (tx) => {
    const existing: { role: Role }[] = await tx.query(
      `INSERT INTO auth_client (client_id, role) VALUES ($1, 'MIS_ADAPTER')
       ON CONFLICT (client_id) DO UPDATE SET role = auth_client.role RETURNING role`,
      [adapterId],
    );
    if (existing[0]?.role !== Role.MIS_ADAPTER) throw new ConflictError(AuthErrorCode.clientExists, `client ${adapterId} is not an MIS adapter`);
    if (organisationOids.length > 0) await assignOrganisations(tx, adapterId, organisationOids);
  });
}
