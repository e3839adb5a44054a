import { toCsv } from '@/utils/csv';

describe('toCsv', () => {
  it('writes a header and quotes commas, quotes and newlines', () => {
    const csv = toCsv(
      [
        { a: 'plain', b: 1 },
        { a: 'with, comma', b: null },
        { a: 'say "hi"\nthere', b: 2.5 },
      ],
      [
        { header: 'a', value: (row) => row.a },
        { header: 'b', value: (row) => row.b },
      ],
    );
    expect(csv).toBe('a,b\r\nplain,1\r\n"with, comma",\r\n"say ""hi""\nthere",2.5\r\n');
  });

  it('defuses spreadsheet formulas but keeps negative numbers', () => {
    const csv = toCsv([{ v: '=HYPERLINK("x")' }, { v: '-3' }], [{ header: 'v', value: (row) => row.v }]);
    expect(csv.split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csv.split('\r\n')[2]).toBe('-3');
  });
});
