import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@medbus/service-auth';
import { uuidPattern } from '../page.mapper';
import { InvalidBusQueryError } from './bus.errors';
import { PatientAppointmentQuery, type PatientAppointment } from './patient-appointment.query';

/** The patient's history on the operator's screen: appointments booked and cancelled through any channel. */
@ApiTags('patients')
@ApiBearerAuth()
@Roles(Role.OPERATOR, Role.SECOND_LINE)
@Controller('v1/patients')
export class PatientAppointmentsController {
  constructor(@Inject(PatientAppointmentQuery) private readonly appointments: PatientAppointmentQuery) {}

  @Get(':patientId/appointments')
  @ApiOperation({ summary: "A patient's appointments (booking's patient id), latest visit first, with the organisations' names" })
  @ApiParam({ name: 'patientId', description: "booking's patient uuid" })
  @ApiOkResponse({ description: '{ items }' })
  async history(@Param('patientId') patientId: string): Promise<{ items: PatientAppointment[] }> {
    if (!uuidPattern.test(patientId)) throw new InvalidBusQueryError(['patientId: is not a uuid']);
    return { items: await this.appointments.of(patientId.toLowerCase()) };
  }
}
