/**
 * Issues, rotates, revokes and lists the booking service's clients and their credentials.
 *
 *   npm run clients -- issue --client op-ivanova --role OPERATOR [--branch sochi]
 *   npm run clients -- issue --client sv-sochi --role BRANCH_SUPERVISOR --branch sochi
 *   npm run clients -- issue --client contact-center --role CONTACT_CENTRE
 *   npm run clients -- issue --client portal --role PORTAL [--expires 2027-01-01T00:00:00Z]
 *   npm run clients -- issue --client kc-hub --role HUB_CLIENT [--channel CONTACT_CENTRE] [--guid <uuid>]
 *   npm run clients -- issue --client hubservice-krd --role MIS_ADAPTER --organisations <oid>,<oid>
 *   npm run clients -- rotate --client portal [--grace-hours 24]
 *   npm run clients -- revoke --client portal [--credential <id>]
 *   npm run clients -- list
 *
 * A new secret is printed once, alone on stdout (or as JSON with --json); everything else goes to
 * stderr. Reads DATABASE_URL and BOOKING_DATABASE_SCHEMA, and migrates the schema first.
 */
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '@medbus/config';
import { AppError } from '@medbus/errors';
import { bookingDataSourceOptions, ensureSchema, migrated } from '../app.module';
import { bookingDatabaseConfigSchema } from '../booking.config';
import { SystemClock } from '../inventory/clock.service';
import { Role, roles } from './access.mapper';
import { ClientsService, registerAdapter, type IssuedCredential } from './clients.service';

const usage = `usage: clients <issue|rotate|revoke|list> [--client <id>] [--role ${roles.join('|')}] [--channel <channel>] [--branch <branch>]
  [--organisations <oid,...>] [--guid <uuid>] [--expires <ISO instant>] [--grace-hours <n>] [--credential <id>] [--json]`;

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      client: { type: 'string' },
      role: { type: 'string' },
      channel: { type: 'string' },
      branch: { type: 'string' },
      organisations: { type: 'string' },
      guid: { type: 'string' },
      expires: { type: 'string' },
      'grace-hours': { type: 'string', default: '24' },
      credential: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (!command || !['issue', 'rotate', 'revoke', 'list'].includes(command)) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig(bookingDatabaseConfigSchema);
  await ensureSchema(config);
  const options = bookingDataSourceOptions(config);
  await migrated(options);
  const dataSource = await new DataSource({ ...options, extra: { ...(options.extra as object), max: 2 } } as typeof options).initialize();
  try {
    const clients = new ClientsService(dataSource, new SystemClock());
    const clientId = () => {
      if (!values.client) throw new Error('--client is required');
      return values.client;
    };
    const printSecret = (issued: IssuedCredential) => {
      console.error(`issued credential ${issued.credentialId} of ${issued.clientId}${issued.expiresAt ? `, expires ${issued.expiresAt.toISOString()}` : ''}`);
      console.log(values.json ? JSON.stringify(issued) : issued.secret);
    };
    switch (command) {
      case 'issue': {
        const role = values.role as Role | undefined;
        if (!role || !roles.includes(role)) throw new Error(`--role is one of ${roles.join(', ')}`);
        const organisations = values.organisations?.split(',').map((oid) => oid.trim()).filter((oid) => oid !== '') ?? [];
        if (role === Role.MIS_ADAPTER) {
          // An adapter authenticates to Kafka (its SCRAM principal, tools/stack/README.md); here it is given its organisations.
          await registerAdapter(dataSource, clientId(), organisations);
          console.error(`adapter ${clientId()} serves ${organisations.length} organisation(s) more`);
          return 0;
        }
        const expiresAt = values.expires ? new Date(values.expires) : undefined;
        if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new Error('--expires is an ISO 8601 instant');
        printSecret(await clients.issue({ clientId: clientId(), role, channel: values.channel, branch: values.branch }, { expiresAt, guid: values.guid }));
        return 0;
      }
      case 'rotate': {
        const graceHours = Number(values['grace-hours']);
        if (!Number.isFinite(graceHours) || graceHours < 0) throw new Error('--grace-hours is a number of hours, 0 or more');
        printSecret(await clients.rotate(clientId(), graceHours * 3_600_000));
        console.error(`the client's other credentials stay valid for ${graceHours} hour(s)`);
        return 0;
      }
      case 'revoke': {
        const revoked = await clients.revoke(clientId(), values.credential);
        console.error(`revoked ${revoked} credential(s)${values.credential ? '' : ` and client ${clientId()}`}`);
        return 0;
      }
      case 'list': {
        const list = await clients.list();
        if (values.json) console.log(JSON.stringify(list, null, 2));
        else
          for (const client of list) {
            const live = client.credentials.filter((c) => !c.revokedAt && (!c.expiresAt || c.expiresAt > new Date())).length;
            console.log(
              `${client.clientId}\t${client.role}\t${client.channel}\t${client.revokedAt ? 'REVOKED' : `${live} live credential(s)`}${client.branch ? `\tbranch ${client.branch}` : ''}${client.organisations.length ? `\t${client.organisations.length} organisation(s)` : ''}`,
            );
          }
        return 0;
      }
      default:
        return 2;
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof AppError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : 'failed');
    process.exit(1);
  },
);
