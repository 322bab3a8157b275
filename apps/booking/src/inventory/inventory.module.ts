import { Module } from '@nestjs/common';
import { CatalogueQuery } from './catalogue.query';
import { Clock, SystemClock } from './clock.service';
import { InventoryProjection } from './inventory.consumer';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { SlotsQuery } from './slots.query';
import { WaitlistModule } from '../waitlist/waitlist.module';

@Module({
  imports: [WaitlistModule],
  controllers: [InventoryController],
  providers: [InventoryService, InventoryProjection, SlotsQuery, CatalogueQuery, { provide: Clock, useClass: SystemClock }],
  exports: [InventoryProjection],
})
export class InventoryModule {}
