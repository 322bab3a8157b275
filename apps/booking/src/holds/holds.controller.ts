import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audit.interceptor';
import { CurrentCaller, Requires } from '../auth/auth.guard';
import { Permission, type Caller } from '../clients/access.mapper';
import { ApiBodyOf } from '../api-body.mapper';
import { holdBodySchema, idempotencyKeyOf, parseBody } from '../booking-request.mapper';
import { HoldView, HoldsService } from './holds.service';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('v1/holds')
export class HoldsController {
  constructor(@Inject(HoldsService) private readonly holds: HoldsService) {}

  @Post()
  @Requires(Permission.writeBookings)
  @Audited({ action: 'hold.take', resourceType: 'hold', idField: 'holdId' })
  @ApiOperation({ summary: 'Hold a free slot for BOOKING_HOLD_TTL_MS while the operator talks to the patient; book with its holdId' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiBodyOf(holdBodySchema)
  @ApiCreatedResponse({ type: HoldView })
  @ApiConflictResponse({ description: 'BOOKING.SLOT_TAKEN, BOOKING.SLOT_HELD, BOOKING.SLOT_RESERVED' })
  take(@CurrentCaller() caller: Caller, @Body() body: unknown, @Headers('idempotency-key') key: string | string[] | undefined): Promise<HoldView> {
    const { slotId } = parseBody(holdBodySchema, body);
    return this.holds.take(caller, slotId, idempotencyKeyOf(key));
  }

  @Get(':holdId')
  @Requires(Permission.readBookings)
  @ApiOkResponse({ type: HoldView })
  get(@CurrentCaller() caller: Caller, @Param('holdId') holdId: string): Promise<HoldView> {
    return this.holds.get(caller, holdId);
  }

  @Delete(':holdId')
  @Requires(Permission.writeBookings)
  @Audited({ action: 'hold.release', resourceType: 'hold', idParam: 'holdId' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Release a hold before it expires' })
  @ApiNoContentResponse()
  async release(@CurrentCaller() caller: Caller, @Param('holdId') holdId: string): Promise<void> {
    await this.holds.release(caller, holdId);
  }
}
