import { ConfigError, loadConfig } from '@medbus/config';
import { xmlDumpAdapterConfigSchema } from './xmldump.config';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT_ID: 'mis-adapter-xmldump',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  OTEL_SERVICE_NAME: 'mis-adapter-xmldump',
  ADAPTER_ID: 'xmldump-krasnodar',
  HTTP_PORT: '3301',
  ADAPTER_ORGANISATIONS: '1.2.643.5.1.13.13.12.2.923.1037',
  MIS_LOGIN: 'medbus',
  MIS_PASSWORD: 'secret-password',
};

describe('XMLDump adapter configuration', () => {
  it('posts bookings to the dumps’ HTTP server and polls the index every DUMP_POLL_INTERVAL_MS', () => {
    const config = loadConfig(xmlDumpAdapterConfigSchema, { ...base, DUMP_URL: 'https://mis.example:8443/dumps/', DUMP_POLL_INTERVAL_MS: '5000' });
    expect(config).toMatchObject({ MIS_VENDOR: 'xmldump', MIS_BOOKING_URL: 'https://mis.example:8443/booking', POLL_INTERVAL_MS: 5000 });
  });

  it('takes an SFTP folder with a pinned host key, and then needs the booking address', () => {
    const sftp = { ...base, DUMP_URL: 'sftp://mis.example:2222/dumps/', DUMP_SFTP_HOST_KEY_SHA256: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8' };
    expect(() => loadConfig(xmlDumpAdapterConfigSchema, sftp)).toThrow(expect.objectContaining({ message: expect.stringContaining('MIS_BOOKING_URL is required when DUMP_URL is an sftp:// URL') }));
    expect(loadConfig(xmlDumpAdapterConfigSchema, { ...sftp, MIS_BOOKING_URL: 'https://mis.example/booking' })).toMatchObject({ MIS_BOOKING_URL: 'https://mis.example/booking' });
  });

  it('names what is missing or wrong, never a value', () => {
    let error: unknown;
    try {
      loadConfig(xmlDumpAdapterConfigSchema, { ...base, MIS_PASSWORD: undefined, DUMP_URL: 'ftp://mis.example/dumps/', DUMP_SFTP_HOST_KEY_SHA256: 'not-a-fingerprint' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/MIS_PASSWORD is required/);
    expect((error as Error).message).toMatch(/DUMP_URL must be a http:\/\/ or https:\/\/ or sftp:\/\/ URL/);
    expect((error as Error).message).toMatch(/DUMP_SFTP_HOST_KEY_SHA256 must be a SHA256 host key fingerprint/);
    expect((error as Error).message).not.toContain('not-a-fingerprint');
  });
});
