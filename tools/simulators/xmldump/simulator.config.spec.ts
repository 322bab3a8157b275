import { defaultOidRoot } from '../clinic/region.generator';
import { defaultXmlDumpOidRoot, loadXmlDumpConfig } from './simulator.config';

describe('loadXmlDumpConfig', () => {
  it('reads kebab-case options, then XMLDUMPSIM_* variables, then defaults', () => {
    const config = loadXmlDumpConfig(['--port', '7801', '--partial-interval=5', '--outage'], { XMLDUMPSIM_SEED: '7', XMLDUMPSIM_PORT: '9999', XMLDUMPSIM_SFTP_PORT: '0' });
    expect(config).toMatchObject({ port: 7801, seed: 7, sftpPort: 0, partialInterval: 5, outage: true, organisations: 20, horizonDays: 14, login: 'medbus' });
    expect(config.dumpDir).toBeUndefined();
    expect(config.hostKey).toBeUndefined();
  });

  it('listens on 7721 and 7722 by default', () => {
    expect(loadXmlDumpConfig([], {})).toMatchObject({ port: 7721, sftpPort: 7722, partialInterval: 60 });
  });

  it('has an OID root whose organisations neither equal nor fall under the HubService simulator’s', () => {
    const root = loadXmlDumpConfig([], {}).oidRoot;
    expect(root).toBe(defaultXmlDumpOidRoot);
    expect(`${root}.`.startsWith(`${defaultOidRoot}.`)).toBe(false);
    expect(`${defaultOidRoot}.`.startsWith(`${root}.`)).toBe(false);
  });

  it('names the option and its variable when a value is invalid', () => {
    expect(() => loadXmlDumpConfig(['--password', 'short'], {})).toThrow(/--password \(XMLDUMPSIM_PASSWORD\)/);
    expect(() => loadXmlDumpConfig([], { XMLDUMPSIM_PARTIAL_INTERVAL: '-1' })).toThrow(/--partial-interval/);
  });
});
