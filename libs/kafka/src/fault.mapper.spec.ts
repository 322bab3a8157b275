import { ConflictError, DecodingError, TimeoutError, UnavailableError } from '@medbus/errors';
import { faultOf } from './fault.mapper';

/** A PostgreSQL error as node-postgres raises it, wrapped as TypeORM wraps it. */
function queryFailed(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { name: 'QueryFailedError', driverError: Object.assign(new Error(message), { code }) });
}

describe('faultOf', () => {
  it('blames the infrastructure for lost connections, refused sockets and unreachable dependencies', () => {
    expect(faultOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('infrastructure');
    expect(faultOf(new Error('Connection terminated unexpectedly'))).toBe('infrastructure');
    expect(faultOf(new Error('timeout exceeded when trying to connect'))).toBe('infrastructure');
    expect(faultOf(queryFailed('57P01', 'terminating connection due to administrator command'))).toBe('infrastructure');
    expect(faultOf(queryFailed('08006'))).toBe('infrastructure');
    expect(faultOf(new UnavailableError('KAFKA.REGISTRY_UNAVAILABLE', 'registry down'))).toBe('infrastructure');
    expect(faultOf(new TimeoutError('FER.TIMEOUT', 'slow'))).toBe('infrastructure');
  });

  it('treats a deadlock or a serialization failure as something to retry, not the message', () => {
    expect(faultOf(queryFailed('40P01', 'deadlock detected'))).toBe('infrastructure');
    expect(faultOf(queryFailed('40001'))).toBe('infrastructure');
  });

  it('blames the message for broken rules, bad values and constraint violations', () => {
    expect(faultOf(new ConflictError('TEST.TAKEN', 'taken'))).toBe('content');
    expect(faultOf(new DecodingError('not Avro'))).toBe('content');
    expect(faultOf(queryFailed('22007', 'invalid datetime'))).toBe('content');
    expect(faultOf(queryFailed('23505', 'duplicate key'))).toBe('content');
  });

  it('finds the cause under wrappers, and says unknown when nothing tells', () => {
    expect(faultOf(new Error('apply failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe('infrastructure');
    expect(faultOf(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('unknown');
    expect(faultOf('a thrown string')).toBe('unknown');
  });
});
