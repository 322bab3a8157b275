import { z } from 'zod';
import { envUrl } from '@medbus/config';
import { misAdapterConfigSchema } from '@medbus/mis-adapter-kit';

/** Everything the HubService adapter reads from its environment: the runtime's variables and its MIS's. */
export const hubServiceAdapterConfigSchema = misAdapterConfigSchema.merge(
  z.object({
    /** WSDL of the MIS's HubService endpoint; the service address is taken from it. */
    MIS_WSDL_URL: envUrl(),
    /** The `guid` token the MIS issued to this adapter. */
    MIS_GUID: z.string(),
    /** The guid the MIS presents on its notifications (POST /notifications); defaults to MIS_GUID. */
    NOTIFY_GUID: z.string().optional(),
    MIS_VENDOR: z.string().default('hubservice'),
    /** IANA zone of the MIS's clinic-local times (HubService sends no offset). */
    MIS_TIME_ZONE: z
      .string()
      .default('Europe/Moscow')
      .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Europe/Moscow'),
    /** `<organisation OID>=<IANA zone>,…` for clinics outside MIS_TIME_ZONE (HubService sends no zone). */
    ORGANISATION_TIME_ZONES: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const zones: Record<string, string> = {};
        for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
          const [oid, zone] = entry.split('=');
          if (!oid || !zone || !isTimeZone(zone)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: `entry "${entry}" must be <organisation OID>=<IANA time zone>` });
            continue;
          }
          zones[oid] = zone;
        }
        return zones;
      }),
  }),
);

export type HubServiceAdapterConfig = z.output<typeof hubServiceAdapterConfigSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
