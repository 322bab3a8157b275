import { loadSimulatorConfig, parseQueues } from './simulator.config';

describe('the telephony simulator configuration', () => {
  it('reads TELSIM_* variables, then arguments over them, then defaults', () => {
    const config = loadSimulatorConfig(['--ami-port', '0', '--speed=60', '--queues', 'head:3,sochi:2'], { TELSIM_USERS: 'cc:pa:ss', TELSIM_SPEED: '5', TELSIM_CALLS_PER_DAY: '20000' });
    expect(config).toMatchObject({ amiPort: 0, adminPort: 7721, speed: 60, users: 'cc:pa:ss', callsPerDay: 20000, timeZone: 'Europe/Moscow', originateRingSeconds: 2, originateAnswered: 0.7 });
    expect(parseQueues(config.queues)).toEqual([{ name: 'head', operators: 3 }, { name: 'sochi', operators: 2 }]);
  });

  it('names the bad options without echoing their values', () => {
    const load = () => loadSimulatorConfig(['--queues', 'head=twelve', '--speed', '0'], { TELSIM_USERS: 'no-secret-here' });
    expect(load).toThrow(/--users \(TELSIM_USERS\): expected user:secret.*--queues \(TELSIM_QUEUES\).*--speed \(TELSIM_SPEED\)/);
    expect(load).not.toThrow(/no-secret-here/);
    expect(() => loadSimulatorConfig(['--nope'], {})).toThrow(/unknown option --nope/);
    expect(() => loadSimulatorConfig(['--replay-day', '2026-11-30'], {})).toThrow(/--replay-day and --replay-calls go together/);
  });
});
