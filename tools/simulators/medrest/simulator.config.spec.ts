import { defaultMedRestOidRoot, loadSimulatorConfig } from './simulator.config';

describe('loadSimulatorConfig', () => {
  it('reads kebab-case options, then MEDRESTSIM_* variables, then defaults', () => {
    const config = loadSimulatorConfig(['--port', '7801', '--webhook-share=0.5', '--outage'], { MEDRESTSIM_SEED: '7', MEDRESTSIM_PORT: '9999', MEDRESTSIM_API_KEY: 'key-one-1,key-two-2' });
    expect(config).toMatchObject({ port: 7801, seed: 7, webhookShare: 0.5, outage: true, apiKey: 'key-one-1,key-two-2', organisations: 20, horizonDays: 14, rateLimit: 100 });
    expect(loadSimulatorConfig([], {}).port).toBe(7711);
  });

  it("gives the region an OID root whose organisations share no prefix with HubService's defaults", () => {
    const root = loadSimulatorConfig([], {}).oidRoot;
    expect(root).toBe(defaultMedRestOidRoot);
    const hubservice = '1.2.643.5.1.13.13.12.2.23';
    expect(`${root}.1037`.startsWith(`${hubservice}.`)).toBe(false);
    expect(`${hubservice}.1037`.startsWith(`${root}.`)).toBe(false);
  });

  it('names the option and its variable when a value is invalid', () => {
    expect(() => loadSimulatorConfig(['--webhook-share', '2'], {})).toThrow(/--webhook-share \(MEDRESTSIM_WEBHOOK_SHARE\)/);
    expect(() => loadSimulatorConfig(['--api-key', 'short,longenough'], {})).toThrow(/--api-key/);
    expect(() => loadSimulatorConfig(['--webhook-url', 'not a url'], {})).toThrow(/--webhook-url/);
  });
});
