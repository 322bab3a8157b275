import { loadSimulatorConfig } from './simulator.config';

describe('the federal simulator configuration', () => {
  it('reads FERSIM_* variables, then arguments over them', () => {
    const config = loadSimulatorConfig(['--port', '0', '--rate-per-second=5', '--region-url', 'http://127.0.0.1:3030/er/v2_0/ErWebService'], {
      FERSIM_LOGINS: 'region:pa=ss:word',
      FERSIM_REGION_API_KEY: 'key-1',
      FERSIM_RATE_PER_SECOND: '7',
    });
    expect(config).toMatchObject({ port: 0, ratePerSecond: 5, logins: 'region:pa=ss:word', regionApiKey: 'key-1', regionUrl: 'http://127.0.0.1:3030/er/v2_0/ErWebService', maxBatch: 500, dailyQuota: 5_000_000, sessionTtlSeconds: 1800 });
  });

  it('names the bad options without echoing their values', () => {
    expect(() => loadSimulatorConfig(['--max-batch', '0'], { FERSIM_LOGINS: 'no-password-here' })).toThrow(
      /--logins \(FERSIM_LOGINS\): expected login:password pairs.*--max-batch \(FERSIM_MAX_BATCH\)/,
    );
    expect(() => loadSimulatorConfig(['--max-batch', '0'], { FERSIM_LOGINS: 'no-password-here' })).not.toThrow(/no-password-here/);
    expect(() => loadSimulatorConfig(['--nope'], {})).toThrow(/unknown option --nope/);
  });
});
