import { CodeMap, DataQualityReport, NsiDictionary } from './code-map.mapper';

describe('CodeMap', () => {
  const codes = CodeMap.parse({ [NsiDictionary.specialty]: { '27': '76' } });

  it('maps a vendor code through the table, which wins over the vendor hint', () => {
    expect(codes.code(NsiDictionary.specialty, '27', 'Терапевт', 'resource r1', '999')).toEqual({
      coding: { nsiCode: '76', misCode: '27', misName: 'Терапевт' },
    });
  });

  it("falls back to the vendor's own federal code", () => {
    expect(codes.code(NsiDictionary.specialty, '31', 'Хирург', 'resource r1', ' 95 ').coding.nsiCode).toBe('95');
  });

  it('carries an unmapped code with nsiCode null and reports it, never dropping it', () => {
    expect(codes.code(NsiDictionary.specialty, '42', 'Логопед', 'resource r2', '')).toEqual({
      coding: { nsiCode: null, misCode: '42', misName: 'Логопед' },
      issue: { kind: 'unmapped_code', entity: 'resource r2', dictionary: NsiDictionary.specialty, misCode: '42' },
    });
  });

  it('refuses a table that is not code → code', () => {
    expect(() => CodeMap.parse({ [NsiDictionary.specialty]: { '27': 76 } })).toThrow();
  });
});

describe('DataQualityReport', () => {
  it('counts every issue but logs each distinct one once', () => {
    const lines: unknown[] = [];
    const report = new DataQualityReport({ warn: (_message, issue) => void lines.push(issue) });
    const issue = { kind: 'unmapped_code', entity: 'resource r2', misCode: '42' } as const;
    report.record([issue, issue, { kind: 'missing_field', entity: 'clinic IdLPU=7', field: 'Oid' }]);
    expect(report.count()).toBe(3);
    expect(report.count('unmapped_code')).toBe(2);
    expect(lines).toHaveLength(2);
  });
});
