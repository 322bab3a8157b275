import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiClientId } from '../auth/api-key.guard';
import { holdBodySchema, idempotencyKeyOf, parseBody } from '../booking-request.mapper';
import { HoldView, HoldsService } from './holds.service';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('v1/holds')
export class HoldsController {
  constructor(@Inject(HoldsService) private readonly holds: HoldsService) {}

  @Post()
  @ApiOperation({ summary: 'Hold a free slot for BOOKING_HOLD_TTL_MS while the operator talks to the patient; book with its holdId' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: HoldView })
  @ApiConflictResponse({ description: 'BOOKING.SLOT_TAKEN, BOOKING.SLOT_HELD, BOOKING.SLOT_RESERVED' })
  take(@ApiClientId() clientId: string, @Body() body: unknown, @Headers('idempotency-key') key: string | string[] | undefined): Promise<HoldView> {
    const { slotId } = parseBody(holdBodySchema, body);
    return this.holds.take({ clientId, channel: 'CONTACT_CENTRE' }, slotId, idempotencyKeyOf(key));
  }

  @Get(':holdId')
  @ApiOkResponse({ type: HoldView })
  get(@Param('holdId') holdId: string): Promise<HoldView> {
    return this.holds.get(holdId);
  }

  @Delete(':holdId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Release a hold before it expires' })
  @ApiNoContentResponse()
  async release(@Param('holdId') holdId: string): Promise<void> {
    await this.holds.release(holdId);
  }
}
