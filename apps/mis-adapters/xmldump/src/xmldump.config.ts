import { z } from 'zod';
import { envInt, envUrl } from '@medbus/config';
import { misAdapterConfigSchema } from '@medbus/mis-adapter-kit';

/** OpenSSH's form of a host key fingerprint, `SHA256:` and unpadded base64 (the prefix may be left out). */
const fingerprint = /^(SHA256:)?[A-Za-z0-9+/]{43}=?$/;

/**
 * Everything the XMLDump adapter reads from its environment: the runtime's variables and its MIS's.
 * DUMP_POLL_INTERVAL_MS is the runtime's poll (POLL_INTERVAL_MS): each poll reads the index.
 */
export const xmlDumpAdapterConfigSchema = misAdapterConfigSchema
  .merge(
    z.object({
      MIS_VENDOR: z.string().default('xmldump'),
      /** The folder of the vendor's dumps and index.xml: `http(s)://host/dumps/` or `sftp://host:port/dumps/`. */
      DUMP_URL: envUrl(['http', 'https', 'sftp']),
      /** The login and password the vendor issued (Basic auth over HTTP, password login over SFTP, and booking). */
      MIS_LOGIN: z.string().min(1),
      MIS_PASSWORD: z.string().min(1),
      /** Where booking messages are posted; default `<origin of DUMP_URL>/booking` for an HTTP DUMP_URL (required with SFTP). */
      MIS_BOOKING_URL: envUrl().optional(),
      /** The SFTP server's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`); unset: any host key is accepted. */
      DUMP_SFTP_HOST_KEY_SHA256: z.string().regex(fingerprint, 'must be a SHA256 host key fingerprint (SHA256:<43 base64 characters>)').optional(),
      /** How often the index is read for new dumps. */
      DUMP_POLL_INTERVAL_MS: envInt()
        .refine((n) => n >= 100, 'must be at least 100')
        .default('30000'),
      /** Backoff after a pass that could not read the index or download a dump: first wait, and the longest. */
      DUMP_RETRY_INITIAL_MS: envInt().default('2000'),
      DUMP_RETRY_MAX_MS: envInt().default('300000'),
      /** Largest dump downloaded, in bytes; a larger one is refused as a whole. */
      DUMP_MAX_BYTES: envInt().default(String(4 * 1024 ** 3)),
      /** Largest unit of a dump (a Day, a Clinic's or Doctor's own part), in bytes. */
      DUMP_MAX_UNIT_BYTES: envInt().default(String(1024 * 1024)),
      /** Folder dumps are downloaded to (each deleted once handled, unless RAW_PAYLOAD_DIR keeps it); default the system's temporary folder. */
      DUMP_TEMP_DIR: z.string().min(1).optional(),
    }),
  )
  .superRefine((config, ctx) => {
    if (config.MIS_BOOKING_URL === undefined && new URL(config.DUMP_URL).protocol === 'sftp:') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['MIS_BOOKING_URL'], message: 'is required when DUMP_URL is an sftp:// URL' });
    }
  })
  .transform((config) => ({
    ...config,
    POLL_INTERVAL_MS: config.DUMP_POLL_INTERVAL_MS,
    MIS_BOOKING_URL: config.MIS_BOOKING_URL ?? `${new URL(config.DUMP_URL).origin}/booking`,
  }));

export type XmlDumpAdapterConfig = z.output<typeof xmlDumpAdapterConfigSchema>;
