import { UnavailableError } from '@medbus/errors';

/** The PBX link's stable codes; details carry counts and statuses only, never a number. */
export const PbxErrorCode = {
  queueLogUnavailable: 'CC.QUEUE_LOG_UNAVAILABLE',
} as const;

/** The PBX's queue_log feed did not answer: the link is not trusted until it does (it reconnects). */
export class QueueLogUnavailableError extends UnavailableError {
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(PbxErrorCode.queueLogUnavailable, message, { cause: options.cause, ...(options.status === undefined ? {} : { details: { status: options.status } }) });
  }
}
