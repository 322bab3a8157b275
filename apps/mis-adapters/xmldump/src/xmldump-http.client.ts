import { MisCircuitOpenError, MisResponseRejectedError, MisResponseRejection, MisUnavailableError } from '@medbus/mis-adapter-kit';

/** Network failures that prove the request never reached the MIS. */
const notSentCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** HTTP statuses of a front end that did not hand the request to the MIS (the vendor's 503 during maintenance). */
const notProcessedStatuses: ReadonlySet<number> = new Set([401, 403, 502, 503]);

/**
 * Whether a failed call may nevertheless have changed something at the MIS: a timeout, a reset
 * connection, a lost or garbled answer may follow a booking that was made. An open circuit, a
 * refused connection, a refused login or a 502/503 from the front end prove it was not.
 */
export function mayHaveReachedMis(error: unknown): boolean {
  if (error instanceof MisCircuitOpenError) return false;
  if (error instanceof MisUnavailableError) {
    const status = error.details?.['status'];
    if (typeof status === 'number') return !notProcessedStatuses.has(status);
    const cause = error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
    const code = cause?.code ?? cause?.cause?.code;
    return !(typeof code === 'string' && notSentCodes.has(code));
  }
  return true;
}

export function basicAuthorization(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

/** A request to the vendor's HTTP server; a network failure or timeout is `MisUnavailableError` (`what` names the call, never its content). */
export async function misFetch(what: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new MisUnavailableError(`XMLDump ${what} not answered`, { cause: error });
  }
}

/** Refuses an answer whose status says the MIS did not serve the request. */
export async function assertServed(what: string, response: Response, accepted: (status: number) => boolean = (status) => status === 200): Promise<void> {
  if (accepted(response.status)) return;
  await response.body?.cancel().catch(() => undefined);
  throw new MisUnavailableError(`XMLDump ${what} answered HTTP ${response.status}`, { details: { status: response.status } });
}

/** The body, read up to `maxBytes` (more is refused as `too_large` without reading on). */
export async function bodyUpTo(what: string, response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new MisResponseRejectedError(MisResponseRejection.tooLarge, `XMLDump ${what} answer exceeds ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (size > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new MisResponseRejectedError(MisResponseRejection.tooLarge, `XMLDump ${what} answer exceeds ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof MisResponseRejectedError) throw error;
    throw new MisUnavailableError(`XMLDump ${what} answer cut off`, { cause: error });
  }
  return Buffer.concat(chunks);
}
