import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { DecodingError, UnavailableError } from '@medbus/errors';
import type { EventDefinition } from './kafka.config';

export interface DecodedEvent {
  readonly schemaId: number;
  /** Avro full name of the writer's record. */
  readonly fullName: string;
  readonly value: unknown;
}

const MAGIC_BYTE = 0;

interface WriterType {
  fromBuffer(buffer: Buffer): unknown;
}

interface Writer {
  readonly type: WriterType;
  readonly fullName: string;
}

function schemaIdIn(buffer: Buffer | null): number {
  if (!buffer || buffer.length < 5 || buffer.readUInt8(0) !== MAGIC_BYTE) {
    throw new DecodingError('value is not in Confluent Avro wire format (magic byte, schema id, Avro binary)');
  }
  return buffer.readUInt32BE(1);
}

function decodeWith(writer: Writer, schemaId: number, buffer: Buffer): DecodedEvent {
  try {
    return { schemaId, fullName: writer.fullName, value: writer.type.fromBuffer(buffer.subarray(5)) };
  } catch (cause) {
    throw new DecodingError(`cannot decode Avro value with schema id ${schemaId}`, { cause });
  }
}

/**
 * Avro values in Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary.
 * Schema ids come from the registry (Apicurio's ccompat API or Confluent's), cached per subject.
 */
export class AvroCodec {
  private readonly registry: SchemaRegistry;
  private readonly idsBySubject = new Map<string, Promise<number>>();
  /** Writers' schemas by id: ids are immutable in the registry, so they are kept for good. */
  private readonly writers = new Map<number, Writer>();

  constructor(registryUrl: string) {
    this.registry = new SchemaRegistry({ host: registryUrl.replace(/\/$/, '') });
  }

  async encode(event: EventDefinition, value: unknown): Promise<Buffer> {
    const schemaId = await this.schemaIdOf(event);
    return this.registry.encode(schemaId, value);
  }

  /**
   * Decodes without waiting when the writer's schema was seen before (the projection engine decodes
   * thousands of messages a batch: no promise per message); undefined when the registry must be asked.
   */
  decodeKnown(buffer: Buffer | null): DecodedEvent | undefined {
    const schemaId = schemaIdIn(buffer);
    const writer = this.writers.get(schemaId);
    return writer && decodeWith(writer, schemaId, buffer as Buffer);
  }

  async decode(buffer: Buffer | null): Promise<DecodedEvent> {
    const schemaId = schemaIdIn(buffer);
    let writer = this.writers.get(schemaId);
    if (!writer) {
      let schema: unknown;
      try {
        schema = await this.registry.getSchema(schemaId);
      } catch (cause) {
        // Only the registry saying "no such schema" is the message's fault; an unreachable or failing
        // registry must not cost the message a dead letter (the consumer waits and retries instead).
        if ((cause as { status?: unknown }).status === 404) throw new DecodingError(`schema id ${schemaId} is unknown to the registry`, { cause });
        throw new UnavailableError('KAFKA.REGISTRY_UNAVAILABLE', `the schema registry did not give schema id ${schemaId}`, { cause });
      }
      writer = { type: schema as WriterType, fullName: (schema as { name?: string }).name ?? 'unknown' };
      this.writers.set(schemaId, writer);
    }
    return decodeWith(writer, schemaId, buffer as Buffer);
  }

  /** Registers the schema under its subject (a no-op returning the same id when already there). */
  schemaIdOf(event: EventDefinition): Promise<number> {
    let id = this.idsBySubject.get(event.subject);
    if (!id) {
      id = this.registry
        .register({ type: SchemaType.AVRO, schema: JSON.stringify(event.schema) }, { subject: event.subject })
        .then((registered) => registered.id);
      id.catch(() => this.idsBySubject.delete(event.subject));
      this.idsBySubject.set(event.subject, id);
    }
    return id;
  }
}
