import { loadSimulatorConfig } from './simulator.config';

describe('loadSimulatorConfig', () => {
  it('reads kebab-case options, then HUBSIM_* variables, then defaults', () => {
    const config = loadSimulatorConfig(['--port', '7801', '--walkin-rate=0.5', '--outage'], { HUBSIM_SEED: '7', HUBSIM_PORT: '9999' });
    expect(config).toMatchObject({ port: 7801, seed: 7, walkinRate: 0.5, outage: true, organisations: 20, doctorsPerOrg: 8, horizonDays: 14 });
  });

  it('reads the share of doctors without SNILS, none by default, and refuses one above 1', () => {
    expect(loadSimulatorConfig([], {}).doctorsWithoutSnils).toBe(0);
    expect(loadSimulatorConfig(['--doctors-without-snils', '0.2'], {}).doctorsWithoutSnils).toBe(0.2);
    expect(() => loadSimulatorConfig(['--doctors-without-snils', '1.5'], {})).toThrow(/--doctors-without-snils/);
  });

  it('names the option and its variable when a value is invalid', () => {
    expect(() => loadSimulatorConfig(['--notify-share', '2'], {})).toThrow(/--notify-share \(HUBSIM_NOTIFY_SHARE\)/);
    expect(() => loadSimulatorConfig(['--start-date', '24.11.2026'], {})).toThrow(/--start-date/);
  });

  it('refuses an unknown option and lists the known ones', () => {
    expect(() => loadSimulatorConfig(['--prot', '1'], {})).toThrow(/unknown option --prot; known: .*--port/);
  });
});
