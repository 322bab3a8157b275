import { Module } from '@nestjs/common';
import { ExportModule } from '../export/export.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [ExportModule], controllers: [HealthController], providers: [HealthService], exports: [HealthService] })
export class HealthModule {}
