import { AmiProtocolError, AmiReader, amiTimestamp, encodeAmi, fieldOf, fieldsOf } from './ami.codec';

describe('the AMI codec', () => {
  it('splits messages on an empty line, with CRLF or LF, across chunks, keeping repeated keys', () => {
    const reader = new AmiReader();
    expect(reader.push(Buffer.from('Action: Originate\r\nVariable: A=1\r\nvar'))).toEqual([]);
    const messages = reader.push(Buffer.from('iable: B=2\r\n\r\naction: ping\nACTIONID: 7\n\n')); 
    expect(messages).toHaveLength(2);
    expect(fieldsOf(messages[0] ?? [], 'VARIABLE')).toEqual(['A=1', 'B=2']);
    expect(fieldOf(messages[1] ?? [], 'ActionID')).toBe('7');
    expect(fieldOf(messages[1] ?? [], 'Action')).toBe('ping');
  });

  it('refuses a line without a key, a control character and a message over 64 KB', () => {
    expect(() => new AmiReader().push(Buffer.from('hello there\r\n'))).toThrow(AmiProtocolError);
    expect(() => new AmiReader().push(Buffer.from('Action: \u0000x\r\n'))).toThrow(AmiProtocolError);
    expect(() => new AmiReader().push(Buffer.from(`Action: ${'x'.repeat(65 * 1024)}`))).toThrow('message too large');
    const reader = new AmiReader();
    expect(() => {
      for (let i = 0; i < 2000; i++) reader.push(Buffer.from(`Variable: v${i}=${'y'.repeat(40)}\r\n`));
    }).toThrow('message too large');
  });

  it('encodes with CRLF and an empty line, flattening line breaks inside values', () => {
    expect(encodeAmi([['Response', 'Success'], ['Message', 'a\r\nb']])).toBe('Response: Success\r\nMessage: a b\r\n\r\n');
  });

  it('writes timestamps as epoch seconds with 6 decimals', () => {
    expect(amiTimestamp(Date.parse('2026-11-30T09:00:00.250Z'))).toBe('1796029200.250000');
  });
});
