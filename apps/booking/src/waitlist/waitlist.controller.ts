import { Body, Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiClientId } from '../auth/api-key.guard';
import { parseBody } from '../booking-request.mapper';
import { WaitlistEntryView, waitlistRequestSchema } from './waitlist.mapper';
import { WaitlistService } from './waitlist.service';

@ApiTags('waitlist')
@ApiBearerAuth()
@Controller('v1/waitlist')
export class WaitlistController {
  constructor(@Inject(WaitlistService) private readonly waitlist: WaitlistService) {}

  @Post()
  @ApiOperation({
    summary: 'Put a patient on the waitlist for a specialty or a doctor at an organisation, in preferred intervals',
    description: 'A matching slot that frees up is reserved for the patient for WAITLIST_RESERVATION_MS and offered (event WaitlistSlotOffered; offer in GET).',
  })
  @ApiCreatedResponse({ type: WaitlistEntryView })
  register(@ApiClientId() clientId: string, @Body() body: unknown): Promise<WaitlistEntryView> {
    return this.waitlist.register({ clientId, channel: 'CONTACT_CENTRE' }, parseBody(waitlistRequestSchema, body));
  }

  @Get(':entryId')
  @ApiOkResponse({ type: WaitlistEntryView })
  get(@Param('entryId') entryId: string): Promise<WaitlistEntryView> {
    return this.waitlist.get(entryId);
  }

  @Delete(':entryId')
  @ApiOperation({ summary: 'Take the patient off the waitlist (an open offer is released)' })
  @ApiOkResponse({ type: WaitlistEntryView })
  cancel(@Param('entryId') entryId: string): Promise<WaitlistEntryView> {
    return this.waitlist.cancel(entryId);
  }
}
