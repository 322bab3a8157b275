import { Body, Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audit.interceptor';
import { CurrentCaller, Requires } from '../auth/auth.guard';
import { Permission, type Caller } from '../clients/access.mapper';
import { ApiBodyOf } from '../api-body.mapper';
import { parseBody } from '../booking-request.mapper';
import { WaitlistEntryView, waitlistRequestSchema } from './waitlist.mapper';
import { WaitlistService } from './waitlist.service';

@ApiTags('waitlist')
@ApiBearerAuth()
@Controller('v1/waitlist')
export class WaitlistController {
  constructor(@Inject(WaitlistService) private readonly waitlist: WaitlistService) {}

  @Post()
  @Requires(Permission.writeBookings)
  @Audited({ action: 'waitlist.register', resourceType: 'waitlist-entry', idField: 'entryId' })
  @ApiOperation({
    summary: 'Put a patient on the waitlist for a specialty or a doctor at an organisation, in preferred intervals',
    description: 'A matching slot that frees up is reserved for the patient for WAITLIST_RESERVATION_MS and offered (event WaitlistSlotOffered; offer in GET).',
  })
  @ApiBodyOf(waitlistRequestSchema)
  @ApiCreatedResponse({ type: WaitlistEntryView })
  register(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<WaitlistEntryView> {
    return this.waitlist.register(caller, parseBody(waitlistRequestSchema, body));
  }

  @Get(':entryId')
  @Requires(Permission.readBookings)
  @Audited({ action: 'waitlist.read', resourceType: 'waitlist-entry', idParam: 'entryId' })
  @ApiOkResponse({ type: WaitlistEntryView })
  get(@CurrentCaller() caller: Caller, @Param('entryId') entryId: string): Promise<WaitlistEntryView> {
    return this.waitlist.get(caller, entryId);
  }

  @Delete(':entryId')
  @Requires(Permission.writeBookings)
  @Audited({ action: 'waitlist.cancel', resourceType: 'waitlist-entry', idParam: 'entryId' })
  @ApiOperation({ summary: 'Take the patient off the waitlist (an open offer is released)' })
  @ApiOkResponse({ type: WaitlistEntryView })
  cancel(@CurrentCaller() caller: Caller, @Param('entryId') entryId: string): Promise<WaitlistEntryView> {
    return this.waitlist.cancel(caller, entryId);
  }
}
