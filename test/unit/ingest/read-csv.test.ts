import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import { type CsvItem, CsvFileError, openCsv, readCsv } from '../../../src/ingest/read-csv.js';

async function collect(text: string): Promise<{ columns: readonly string[]; items: CsvItem[] }> {
  const file = await readCsv(Readable.from([Buffer.from(text)]));
  const items: CsvItem[] = [];
  for await (const item of file.items) items.push(item);
  return { columns: file.columns, items };
}

describe('readCsv', () => {
  it('numbers each row by the line it starts on, across BOM, CRLF, quoted newlines and blank lines', async () => {
    const text =
      '\uFEFFphone,first_name\r\n+14155550100,"Ann\r\nMarie"\r\n\r\n+14155550101,Bob\r\n' +
      '"+14155550103",Dee\r\n\r\n\r\n+14155550104,"x\ny\nz"\r\n+14155550105,Eve\r\n\r\n\r\n';
    const { columns, items } = await collect(text);
    expect(columns).toEqual(['phone', 'first_name']);
    expect(items).toEqual([
      { kind: 'row', line: 2, fields: ['+14155550100', 'Ann\r\nMarie'] },
      { kind: 'row', line: 5, fields: ['+14155550101', 'Bob'] },
      { kind: 'row', line: 6, fields: ['+14155550103', 'Dee'] },
      { kind: 'row', line: 9, fields: ['+14155550104', 'x\ny\nz'] },
      { kind: 'row', line: 12, fields: ['+14155550105', 'Eve'] },
    ]);
  });

  it('counts blank lines before the header and around quoted multi-line fields, and skips a lone ""', async () => {
    const text =
      '\r\n\r\nphone,note\r\n+14155550100,"one\r\ntwo\r\n\r\nthree"\r\n""\r\n\r\n' +
      '+14155550101,"a\nb"\r\n\r\n+14155550102,"x"\r\n';
    const { columns, items } = await collect(text);
    expect(columns).toEqual(['phone', 'note']);
    expect(items).toEqual([
      { kind: 'row', line: 4, fields: ['+14155550100', 'one\r\ntwo\r\n\r\nthree'] },
      { kind: 'row', line: 10, fields: ['+14155550101', 'a\nb'] },
      { kind: 'row', line: 13, fields: ['+14155550102', 'x'] },
    ]);
  });

  it('reports an unterminated quote after blank lines at the line it opens', async () => {
    const { items } = await collect('phone,name\n+14155550100,Ann\n\n\n+14155550101,"Bob\n+14155550102,Cy\n');
    expect(items[0]).toEqual({ kind: 'row', line: 2, fields: ['+14155550100', 'Ann'] });
    expect(items[1]).toMatchObject({ kind: 'unreadable', line: 5 });
    expect(items).toHaveLength(2);
  });

  it('passes rows with the wrong number of fields and stray quotes on for validation instead of stopping', async () => {
    const { items } = await collect(
      'phone,name\n+1415,"bad"quote\n+14155550102,Cy,extra\n+14155550103\n+14155550104,Dan\n',
    );
    expect(
      items.map((item) => (item.kind === 'row' ? [item.line, item.fields.length] : [item.line, item.reason])),
    ).toEqual([
      [2, 2],
      [3, 3],
      [4, 1],
      [5, 2],
    ]);
  });

  it('reports an unterminated quote at the line it opens and keeps the rows before it', async () => {
    const { items } = await collect('phone,name\n+14155550100,Ann\n+14155550101,"Bob\n+14155550102,Cy\n');
    expect(items[0]).toEqual({ kind: 'row', line: 2, fields: ['+14155550100', 'Ann'] });
    expect(items[1]).toMatchObject({ kind: 'unreadable', line: 3 });
    expect(items[1]?.kind === 'unreadable' && items[1].reason).toMatch(/unterminated quoted field/);
    expect(items).toHaveLength(2);
  });

  it('fails at once on an empty file', async () => {
    await expect(collect('')).rejects.toThrow(CsvFileError);
  });
});

describe('openCsv', () => {
  it('refuses a binary file with one readable line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-csv-'));
    const path = join(dir, 'recipients.xlsx');
    writeFileSync(path, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]));
    await expect(openCsv(path)).rejects.toThrow(/is not a CSV file/);
    await expect(openCsv(join(dir, 'missing.csv'))).rejects.toThrow(/no such file/);
  });
});
