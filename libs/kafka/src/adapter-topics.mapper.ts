import { Topics } from '@medbus/contracts';
import { inNamespace, namespaced, type EventDefinition } from './kafka.config';

/** An MIS adapter's id: it names the adapter's topics, its consumer groups and its Kafka principal. */
export const adapterIdPattern = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Contract topics that exist once per MIS adapter, as `<topic>.<adapter id>` (0012): Kafka cannot
 * tell a consumer who produced a message, but ACLs can say who may write a topic, so the topic an
 * event came from names the adapter that spoke. The adapter writes the MIS topics and its outcomes;
 * the booking service writes its commands, which only that adapter reads.
 */
export const perAdapterTopics: readonly string[] = [
  Topics.organisation,
  Topics.resource,
  Topics.slot,
  Topics.adapterHeartbeat,
  Topics.bookingCommandOutcome,
  Topics.bookingCommand,
];

const perAdapter = new Set(perAdapterTopics);

/** Whether a contract topic exists once per adapter. */
export function isPerAdapterTopic(topic: string): boolean {
  return perAdapter.has(topic);
}

function checkedAdapterId(adapterId: string): string {
  if (!adapterIdPattern.test(adapterId)) throw new Error(`adapter id ${JSON.stringify(adapterId)} must match ${adapterIdPattern}`);
  return adapterId;
}

/** An adapter's own copy of a per-adapter contract topic (`mis.slot` → `mis.slot.<id>`), inside the namespace if one is given. */
export function adapterTopicOf(topic: string, adapterId: string, namespace?: string): string {
  if (!perAdapter.has(topic)) throw new Error(`${topic} is not a per-adapter topic`);
  return namespaced(`${topic}.${checkedAdapterId(adapterId)}`, namespace);
}

/** Every topic of one adapter (without namespace), to create them when an adapter is provisioned. */
export function adapterTopicsOf(adapterId: string): string[] {
  return perAdapterTopics.map((topic) => adapterTopicOf(topic, adapterId));
}

/**
 * Where an event is written: a per-adapter event to the adapter's topic, any other to its contract
 * topic; inside a namespace either way. The registry subject stays the contract's (one subject per
 * event type, whatever the adapter).
 */
export function routedEvent(event: EventDefinition, adapterId: string | undefined, namespace: string | undefined): EventDefinition {
  const contract = inNamespace(event, namespace);
  if (!perAdapter.has(event.topic)) return contract;
  if (adapterId === undefined) throw new Error(`${event.name} goes to one adapter's ${event.topic}: name the adapter`);
  return { ...contract, topic: adapterTopicOf(event.topic, adapterId, namespace) };
}

/** The adapter whose topic this is (`<ns>.mis.slot.<id>` → `<id>`), or undefined for a shared topic. */
export function originOf(topic: string, namespace?: string): string | undefined {
  const prefix = namespaced('', namespace);
  if (!topic.startsWith(prefix)) return undefined;
  const name = topic.slice(prefix.length);
  for (const contract of perAdapterTopics) {
    if (name.startsWith(`${contract}.`)) {
      const adapterId = name.slice(contract.length + 1);
      return adapterIdPattern.test(adapterId) ? adapterId : undefined;
    }
  }
  return undefined;
}

/**
 * A subscription to every adapter's copy of a contract topic, present and future. librdkafka takes
 * a pattern only when it starts with `^` and has no flags, and notices new matching topics at its
 * metadata refresh.
 */
export function adapterTopicPattern(topic: string, namespace?: string): RegExp {
  if (!perAdapter.has(topic)) throw new Error(`${topic} is not a per-adapter topic`);
  // Topic and namespace names hold only [a-z0-9.-]: the dots are all there is to escape.
  return new RegExp(`^${namespaced(topic, namespace).replaceAll('.', '\\.')}\\.[a-z0-9][a-z0-9-]*$`);
}
