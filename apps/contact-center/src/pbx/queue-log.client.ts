import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@medbus/config';
import type { ContactCenterConfig } from '../contact-center.config';
import { QueueLogUnavailableError } from './pbx.errors';

type QueueLogConfig = Pick<ContactCenterConfig, 'CC_QUEUE_LOG_URL' | 'CC_QUEUE_LOG_TOKEN'>;

const pageLines = 10_000;
const requestTimeoutMs = 15_000;

/**
 * The PBX's queue_log feed (`GET <url>?since=<epoch>&limit=`, bearer token; text, one line a fact).
 * Pages by the `x-last-line` sequence the feed returns (`&after=`); a feed without it gets one page.
 */
@Injectable()
export class QueueLogClient {
  constructor(@Inject(AppConfig) private readonly config: QueueLogConfig) {}

  async linesSince(since: Date): Promise<string[]> {
    const lines: string[] = [];
    let after: string | undefined;
    for (;;) {
      const url = new URL(this.config.CC_QUEUE_LOG_URL);
      url.searchParams.set('since', String(Math.max(0, Math.floor(since.getTime() / 1000))));
      url.searchParams.set('limit', String(pageLines));
      if (after !== undefined) url.searchParams.set('after', after);
      let response: Response;
      try {
        response = await fetch(url, { headers: { authorization: `Bearer ${this.config.CC_QUEUE_LOG_TOKEN}`, accept: 'text/plain' }, signal: AbortSignal.timeout(requestTimeoutMs) });
      } catch (error) {
        throw new QueueLogUnavailableError('the PBX queue_log feed did not answer', { cause: error });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new QueueLogUnavailableError(`the PBX queue_log feed answered ${response.status}`, { status: response.status });
      }
      const page = (await response.text()).split('\n').filter((line) => line.trim() !== '');
      lines.push(...page);
      const last = response.headers.get('x-last-line');
      if (page.length < pageLines || last === null) return lines;
      after = last;
    }
  }
}
