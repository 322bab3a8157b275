import { Module } from '@nestjs/common';
import { MisAdapterClient } from './mis-adapter.client';
import { PatientsController } from './patients.controller';
import { PatientsService } from './patients.service';

@Module({
  controllers: [PatientsController],
  providers: [PatientsService, MisAdapterClient],
  exports: [PatientsService],
})
export class PatientsModule {}
