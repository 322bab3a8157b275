import { exporter, patchableLoadedEarly, telemetry } from './instrument';
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

// Run by telemetry.instrumentation.spec.ts in a process of its own; prints the spans as JSON.
@Controller('v1/patients')
class PatientsController {
  @Get(':id')
  find(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [PatientsController] })
class PatientsModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(PatientsModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  await fetch(`${await app.getUrl()}/v1/patients/42?phone=%2B79161234567&snils=112-233-445%2095`);
  await app.close();
  await telemetry.forceFlush();
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    scope: span.instrumentationScope.name,
    traceId: span.spanContext().traceId,
    serviceName: span.resource.attributes['service.name'],
    attributes: span.attributes,
  }));
  await telemetry.shutdown();
  process.stdout.write(JSON.stringify({ spans, patchableLoadedEarly }));
}

void main();
