import { z } from 'zod';

/** What booking says of a presented API key (`POST /v1/auth/introspect`); never why a key is inactive. */
export const introspectionSchema = z.union([
  z.object({ active: z.literal(false) }),
  z.object({
    active: z.literal(true),
    clientId: z.string().min(1),
    role: z.string().min(1),
    channel: z.string().min(1),
    /** The contact-centre branch the client belongs to (a branch supervisor's, an operator's home); null: none or the head centre. */
    branch: z.string().min(1).nullable().optional(),
    expiresAt: z.string().nullable().optional(),
  }),
]);

export type Introspection = z.output<typeof introspectionSchema>;

/** Whatever asks booking about a key: a service's booking client. */
export interface Introspector {
  introspect(credential: string): Promise<Introspection>;
}

/** Roles of the region's clients, as booking's registry names them (docs/decisions/0015). */
export const Role = {
  OPERATOR: 'OPERATOR',
  SECOND_LINE: 'SECOND_LINE',
  BRANCH_SUPERVISOR: 'BRANCH_SUPERVISOR',
  HEAD_SUPERVISOR: 'HEAD_SUPERVISOR',
  CONTACT_CENTRE: 'CONTACT_CENTRE',
  PORTAL: 'PORTAL',
  HUB_CLIENT: 'HUB_CLIENT',
  MIS_ADAPTER: 'MIS_ADAPTER',
  FEDERAL_REGISTRY: 'FEDERAL_REGISTRY',
  OPERATIONS: 'OPERATIONS',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** The authenticated caller of a request. */
export interface Caller {
  readonly clientId: string;
  readonly role: string;
  readonly channel: string;
  /** Contact-centre branch of the client, null when it has none. */
  readonly branch: string | null;
}
