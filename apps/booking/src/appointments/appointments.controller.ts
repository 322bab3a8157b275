import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Audited } from '../audit/audit.interceptor';
import { CurrentCaller, Requires } from '../auth/auth.guard';
import { Permission, type Caller } from '../clients/access.mapper';
import { AppointmentView } from './appointment.mapper';
import { AppointmentsService } from './appointments.service';
import { ApiBodyOf } from '../api-body.mapper';
import { bookBodySchema, cancelBodySchema, idempotencyKeyOf, parseBody, rescheduleBodySchema } from '../booking-request.mapper';

interface StatusResponse {
  status(code: number): unknown;
}

class AppointmentPage {
  @ApiProperty({ type: [AppointmentView] })
  items!: AppointmentView[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

const idempotencyHeader = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Any 8–128 printable ASCII characters; a repeat with the same key and body returns the same appointment instead of acting twice.',
};

const refusals =
  'BOOKING.SLOT_TAKEN (308), BOOKING.SLOT_HELD, BOOKING.SLOT_RESERVED, BOOKING.PATIENT_ALREADY_BOOKED (307), BOOKING.PATIENT_NOT_ELIGIBLE (304), BOOKING.PATIENT_NOT_ATTACHED (310), BOOKING.HOLD_EXPIRED; details.appointmentId when the MIS refused';

@ApiTags('appointments')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'AUTH.MISSING_API_KEY, AUTH.INVALID_API_KEY, AUTH.CREDENTIAL_REVOKED or AUTH.CREDENTIAL_EXPIRED' })
@ApiForbiddenResponse({ description: "AUTH.FORBIDDEN: the client's role may not do this" })
@Controller('v1/appointments')
export class AppointmentsController {
  constructor(@Inject(AppointmentsService) private readonly appointments: AppointmentsService) {}

  @Post()
  @Requires(Permission.writeBookings)
  @Audited({ action: 'appointment.book', resourceType: 'appointment', idField: 'appointmentId' })
  @ApiOperation({
    summary: 'Book a slot for an identified patient at its MIS',
    description:
      'Takes the caller\'s hold (holdId) or checks the slot is unheld, checks the rules, sends the booking to the MIS and waits for its answer up to BOOKING_RESPONSE_TIMEOUT_MS: 201 CONFIRMED, or 202 PENDING (poll GET /v1/appointments/{id}).',
  })
  @ApiHeader(idempotencyHeader)
  @ApiBodyOf(bookBodySchema, { slotId: '1.2.643.5.1.13.13.12.2.23.1:S-1', patientId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  @ApiCreatedResponse({ type: AppointmentView, description: 'Booked at the MIS.' })
  @ApiAcceptedResponse({ type: AppointmentView, description: 'The MIS has not answered yet; the outcome is applied when it does.' })
  @ApiConflictResponse({ description: refusals })
  async book(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | string[] | undefined,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<AppointmentView> {
    const request = parseBody(bookBodySchema, body);
    const view = await this.appointments.book(
      caller,
      { slotId: request.slotId, patientId: request.patientId, holdId: request.holdId, specialtyCode: request.specialtyCode },
      idempotencyKeyOf(key),
    );
    response.status(view.status === 'PENDING' ? 202 : 201);
    return view;
  }

  @Get()
  @Requires(Permission.readBookings)
  @Audited({ action: 'appointment.list', resourceType: 'patient', idQuery: 'patientId' })
  @ApiOperation({ summary: "A patient's appointments, newest first, a page at a time" })
  @ApiQuery({ name: 'patientId', required: true, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50.' })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiOkResponse({ type: AppointmentPage })
  list(
    @CurrentCaller() caller: Caller,
    @Query('patientId') patientId: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<AppointmentPage> {
    return this.appointments.listByPatient(caller, String(patientId ?? ''), { limit: Number(limit ?? 50), cursor });
  }

  @Get(':appointmentId')
  @Requires(Permission.readBookings)
  @Audited({ action: 'appointment.read', resourceType: 'appointment', idParam: 'appointmentId' })
  @ApiOperation({ summary: 'One appointment, with its current status' })
  @ApiOkResponse({ type: AppointmentView })
  @ApiNotFoundResponse({ description: 'BOOKING.APPOINTMENT_NOT_FOUND' })
  get(@CurrentCaller() caller: Caller, @Param('appointmentId') appointmentId: string): Promise<AppointmentView> {
    return this.appointments.get(caller, appointmentId);
  }

  @Post(':appointmentId/cancel')
  @HttpCode(200)
  @Requires(Permission.writeBookings)
  @Audited({ action: 'appointment.cancel', resourceType: 'appointment', idParam: 'appointmentId' })
  @ApiOperation({ summary: 'Cancel at the MIS; 200 CANCELLED, or 202 CANCELLING while the MIS has not answered' })
  @ApiHeader(idempotencyHeader)
  @ApiBodyOf(cancelBodySchema)
  @ApiOkResponse({ type: AppointmentView })
  @ApiConflictResponse({ description: 'BOOKING.APPOINTMENT_NOT_ACTIVE, or the MIS refused' })
  async cancel(
    @CurrentCaller() caller: Caller,
    @Param('appointmentId') appointmentId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | string[] | undefined,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<AppointmentView> {
    parseBody(cancelBodySchema, body);
    const view = await this.appointments.cancel(caller, appointmentId, idempotencyKeyOf(key));
    response.status(view.status === 'CANCELLING' ? 202 : 200);
    return view;
  }

  @Post(':appointmentId/reschedule')
  @Requires(Permission.writeBookings)
  @Audited({ action: 'appointment.reschedule', resourceType: 'appointment', idParam: 'appointmentId' })
  @ApiOperation({
    summary: 'Move a confirmed appointment to another slot in one MIS call',
    description: 'Answers the new appointment: 201 CONFIRMED (the old one is RESCHEDULED), or 202 PENDING. A refusal keeps the old appointment.',
  })
  @ApiHeader(idempotencyHeader)
  @ApiBodyOf(rescheduleBodySchema)
  @ApiCreatedResponse({ type: AppointmentView })
  @ApiAcceptedResponse({ type: AppointmentView })
  @ApiConflictResponse({ description: refusals })
  async reschedule(
    @CurrentCaller() caller: Caller,
    @Param('appointmentId') appointmentId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | string[] | undefined,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<AppointmentView> {
    const request = parseBody(rescheduleBodySchema, body);
    const view = await this.appointments.reschedule(
      caller,
      appointmentId,
      { slotId: request.slotId, holdId: request.holdId },
      idempotencyKeyOf(key),
    );
    response.status(view.status === 'PENDING' ? 202 : 201);
    return view;
  }
}
