import { ApiBody } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

/** Documents a request body by the zod schema that parses it, so /docs cannot drift from what is accepted. */
export function ApiBodyOf(schema: z.ZodTypeAny, example?: unknown): MethodDecorator {
  // zodToJsonSchema's generic return type is too deep for the compiler over ZodTypeAny; the value is plain JSON Schema.
  const toJson = zodToJsonSchema as unknown as (schema: z.ZodTypeAny, options: { target: 'openApi3'; $refStrategy: 'none' }) => object;
  const json = toJson(schema, { target: 'openApi3', $refStrategy: 'none' }) as SchemaObject;
  return ApiBody({ schema: example === undefined ? json : { ...json, example } });
}
