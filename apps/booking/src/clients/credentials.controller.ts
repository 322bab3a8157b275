import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { BookingChannel } from '@medbus/contracts';
import { ApiBodyOf } from '../api-body.mapper';
import { Requires } from '../auth/auth.guard';
import { parseBody } from '../booking-request.mapper';
import { Permission, roles } from './access.mapper';
import { ClientsService } from './clients.service';

const introspectBodySchema = z.object({ credential: z.string().min(1).max(200) }).strict();

class IntrospectionView {
  @ApiProperty({ type: Boolean, description: 'false for a key that is unknown, revoked or expired: which, is not told' }) active!: boolean;
  @ApiPropertyOptional({ type: String }) clientId?: string;
  @ApiPropertyOptional({ enum: roles }) role?: string;
  @ApiPropertyOptional({ enum: Object.values(BookingChannel) }) channel?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: "the client's branch of the contact centre; null: none, or the head centre" })
  branch?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'absent: the key does not expire (until revoked)' }) expiresAt?: string;
}

/**
 * Lets a service that fronts other callers (the federal registry's exporter, the contact centre) check
 * the keys they present: identities live only in booking's database.
 */
@ApiTags('clients')
@ApiBearerAuth()
@Controller('v1/auth')
export class CredentialsController {
  constructor(@Inject(ClientsService) private readonly clients: ClientsService) {}

  @Post('introspect')
  @HttpCode(200)
  @Requires(Permission.introspectCredentials)
  @ApiOperation({ summary: 'Whether an API key is live and whose it is (RFC 7662 in spirit); the federal registry and the contact centre only' })
  @ApiBodyOf(introspectBodySchema, { credential: 'mbk.0123456789abcdef.<secret>' })
  @ApiOkResponse({ type: IntrospectionView })
  @ApiBadRequestResponse({ description: 'BOOKING.INVALID_REQUEST: no credential, or one over 200 characters' })
  @ApiForbiddenResponse({ description: "AUTH.FORBIDDEN: the client's role may not introspect credentials" })
  async introspect(@Body() body: unknown): Promise<IntrospectionView> {
    const { credential } = parseBody(introspectBodySchema, body);
    const standing = await this.clients.introspect(credential);
    if (!standing.active) return { active: false };
    const { clientId, role, channel, branch, expiresAt } = standing;
    return { active: true, clientId, role, channel, branch, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) };
  }
}
