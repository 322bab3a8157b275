import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Audited } from '../audit/audit.interceptor';
import { CurrentCaller, Requires } from '../auth/auth.guard';
import { ApiBodyOf } from '../api-body.mapper';
import { parseBody } from '../booking-request.mapper';
import { Permission, type Caller } from '../clients/access.mapper';
import { patientQuerySchema } from '@medbus/identification';
import { IdentifiedPatientView } from './patient.mapper';
import { PatientsService } from './patients.service';

const identifyBodySchema = patientQuerySchema.extend({ register: z.boolean().default(false) }).strict();

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
export class PatientsController {
  constructor(@Inject(PatientsService) private readonly patients: PatientsService) {}

  @Post('identify')
  @HttpCode(200)
  @Requires(Permission.identifyPatients)
  @Audited({ action: 'patient.identify', resourceType: 'patient', idField: 'patientId' })
  @ApiOperation({
    summary: "Find a patient at an organisation's MIS (by ЕНП policy number, SNILS, or name and birth date); register when asked and the MIS allows",
  })
  @ApiBodyOf(identifyBodySchema)
  @ApiOkResponse({ type: IdentifiedPatientView })
  @ApiNotFoundResponse({ description: 'PATIENT.NOT_FOUND (HubService 200), PATIENT.ORGANISATION_NOT_SERVED' })
  @ApiConflictResponse({ description: 'PATIENT.AMBIGUOUS (HubService 201)' })
  identify(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<IdentifiedPatientView> {
    const { register, ...query } = parseBody(identifyBodySchema, body);
    return this.patients.identify(caller, query, register);
  }
}
