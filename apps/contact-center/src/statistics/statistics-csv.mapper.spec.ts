import { csvObjects, readCsv } from './__fixtures__/csv.reader';
import { csvByteOrderMark, csvOf } from './statistics-csv.mapper';

describe('the statistics CSV writer', () => {
  it('writes a byte-order mark, a header and CRLF-ended records', () => {
    expect(csvOf(['a', 'b'], [[1, 'x'], [2.5, null]])).toBe(`${csvByteOrderMark}a,b\r\n1,x\r\n2.5,\r\n`);
  });

  it('quotes fields with commas, quotes and line breaks, doubling the quotes, and reads back the same', () => {
    const names = ['ГБУЗ "Краевая", №1', 'two\r\nlines', 'plain; with a semicolon'];
    const text = csvOf(['name'], names.map((name) => [name]));
    expect(text).toContain('"ГБУЗ ""Краевая"", №1"');
    expect(readCsv(text)).toEqual([['name'], ...names.map((name) => [name])]);
  });

  it('keeps a text cell from running as a formula in a spreadsheet, but not a number', () => {
    expect(csvObjects(csvOf(['name', 'n'], [['=HYPERLINK("x")', -1]]))).toEqual([{ name: `'=HYPERLINK("x")`, n: '-1' }]);
  });
});
