import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Requires } from '../auth/auth.guard';
import { Permission } from '../clients/access.mapper';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { BookingChannel } from '@medbus/contracts';
import {
  CatalogueQuery,
  OrganisationList,
  PractitionerList,
  SpecialtyList,
  organisationListParams,
  practitionerListParams,
  specialtyListParams,
} from './catalogue.query';
import { SlotPage, SlotsQuery, parseQuery, slotSearchParams } from './slots.query';

type RawQuery = Record<string, unknown>;

const filter = {
  district: { name: 'district', required: false, type: String, description: 'District code (HubService IdDistrict).' },
  organisation: { name: 'organisation', required: false, type: String, description: 'ФРМО OID of the organisation.' },
  specialty: { name: 'specialty', required: false, type: String, description: 'NSI 1.2.643.5.1.13.13.11.1066 specialty code.' },
  position: { name: 'position', required: false, type: String, description: 'NSI 1.2.643.5.1.13.13.11.1002 position code.' },
  from: { name: 'from', required: false, type: String, description: 'Slots starting at or after this ISO 8601 instant (default: now).' },
  to: { name: 'to', required: false, type: String, description: 'Slots starting before this ISO 8601 instant.' },
  channel: { name: 'channel', required: false, enum: Object.values(BookingChannel), description: 'Only slots this channel may book.' },
} as const;

@ApiTags('inventory')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
@ApiBadRequestResponse({ description: 'BOOKING.INVALID_QUERY (details.problems names each) or BOOKING.INVALID_CURSOR' })
@Requires(Permission.searchInventory)
@Controller('v1')
export class InventoryController {
  constructor(
    @Inject(SlotsQuery) private readonly slots: SlotsQuery,
    @Inject(CatalogueQuery) private readonly catalogue: CatalogueQuery,
  ) {}

  @Get('slots')
  @ApiOperation({ summary: 'Search the unified slot inventory, sorted by start time, a page at a time' })
  @ApiQuery(filter.district)
  @ApiQuery(filter.organisation)
  @ApiQuery(filter.specialty)
  @ApiQuery(filter.position)
  @ApiQuery({ name: 'practitioner', required: false, type: String, description: 'Resource id, `<organisationOid>:<localResourceId>`.' })
  @ApiQuery(filter.from)
  @ApiQuery(filter.to)
  @ApiQuery(filter.channel)
  @ApiQuery({ name: 'freeOnly', required: false, enum: ['true', 'false'], description: 'Only FREE slots (default false).' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50.' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page.' })
  @ApiOkResponse({ type: SlotPage })
  searchSlots(@Query() query: RawQuery): Promise<SlotPage> {
    return this.slots.search(parseQuery(slotSearchParams, query));
  }

  @Get('organisations')
  @ApiOperation({ summary: 'Active organisations with free-slot counts, nearest free slot and data freshness' })
  @ApiQuery(filter.district)
  @ApiQuery({ ...filter.specialty, description: 'Only organisations with this specialty; counts only its slots.' })
  @ApiQuery(filter.from)
  @ApiQuery(filter.to)
  @ApiQuery(filter.channel)
  @ApiOkResponse({ type: OrganisationList })
  listOrganisations(@Query() query: RawQuery): Promise<OrganisationList> {
    return this.catalogue.organisations(parseQuery(organisationListParams, query));
  }

  @Get('specialties')
  @ApiOperation({ summary: 'NSI specialties with practitioners, free-slot counts and nearest free slot' })
  @ApiQuery(filter.district)
  @ApiQuery(filter.organisation)
  @ApiQuery(filter.from)
  @ApiQuery(filter.to)
  @ApiQuery(filter.channel)
  @ApiOkResponse({ type: SpecialtyList })
  listSpecialties(@Query() query: RawQuery): Promise<SpecialtyList> {
    return this.catalogue.specialties(parseQuery(specialtyListParams, query));
  }

  @Get('practitioners')
  @ApiOperation({ summary: 'Practitioners of an organisation or a specialty, with free-slot counts and nearest free slot' })
  @ApiQuery(filter.district)
  @ApiQuery({ ...filter.organisation, description: 'ФРМО OID; organisation or specialty is required.' })
  @ApiQuery({ ...filter.specialty, description: 'NSI specialty code; organisation or specialty is required.' })
  @ApiQuery(filter.position)
  @ApiQuery(filter.from)
  @ApiQuery(filter.to)
  @ApiQuery(filter.channel)
  @ApiOkResponse({ type: PractitionerList })
  listPractitioners(@Query() query: RawQuery): Promise<PractitionerList> {
    return this.catalogue.practitioners(parseQuery(practitionerListParams, query));
  }
}
