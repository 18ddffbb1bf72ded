import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import type { CsvFormat } from '../../../src/ingest/csv-format.js';
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

  it('skips rows whose every cell is empty, as spreadsheets leave them, and counts their lines', async () => {
    const { items } = await collect('phone,name,code\n,,\n+14155550100,Ann,1\n , ,\t\n,\n+14155550101,Bob,2\n');
    expect(items).toEqual([
      { kind: 'row', line: 3, fields: ['+14155550100', 'Ann', '1'] },
      { kind: 'row', line: 6, fields: ['+14155550101', 'Bob', '2'] },
    ]);
  });

  it('fails at once on an empty file', async () => {
    await expect(collect('')).rejects.toThrow(CsvFileError);
  });

  it('hands the same items over in runs, whatever pieces the bytes arrive in', async () => {
    const text =
      '\r\n\r\nphone,note\r\n' +
      Array.from({ length: 300 }, (_, index) =>
        index % 50 === 7
          ? `+1415555${String(1000 + index)},"two\r\nlines"\r\n\r\n`
          : `+1415555${String(1000 + index)},n${index}\r\n`,
      ).join('') +
      '+14155559999,"unterminated\r\n';
    const whole = await collect(text);
    const bytes = Buffer.from(text);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, index) =>
      bytes.subarray(index * 7, index * 7 + 7),
    );
    const file = await readCsv(Readable.from(pieces));
    const runs: (readonly CsvItem[])[] = [];
    for await (const batch of file.batches) runs.push(batch);

    expect(file.columns).toEqual(['phone', 'note']);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((batch) => batch.length > 0)).toBe(true);
    expect(runs.flat()).toEqual(whole.items);
    expect(whole.items).toHaveLength(301);
    expect(whole.items.at(-1)).toMatchObject({ kind: 'unreadable', line: 316 });
  });

  it('stops reading the input when the caller stops early', async () => {
    const rows = Array.from({ length: 100_000 }, (_, index) => `+1415${String(5_000_000 + index)},n${index}\n`);
    const input = Readable.from(['phone,name\n', ...rows]);
    // The parser the input is piped into, to hear when it lets go of the input (`unpipe` is emitted on it).
    const piped: NodeJS.WritableStream[] = [];
    const pipe = input.pipe.bind(input);
    input.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
      piped.push(destination);
      return pipe(destination, options);
    };
    const file = await readCsv(input);
    expect(piped).toHaveLength(1);
    // The parser holds far fewer than 100,000 rows ahead, so only a stopped parser lets go of the input.
    const unpiped = once(piped[0] as unknown as NodeJS.EventEmitter, 'unpipe');
    for await (const item of file.items) {
      expect(item).toEqual({ kind: 'row', line: 2, fields: ['+14155000000', 'n0'] });
      break;
    }
    await unpiped;
    expect(input.readableEnded).toBe(false);
  });

  it('ends the runs with the error of the stream it reads, after the rows before it', async () => {
    // The file's first bytes, then a read error (a disk gone away) when the parser asks for more.
    let reads = 0;
    const input = new Readable({
      read() {
        reads += 1;
        if (reads === 1) this.push('phone,name\n+14155550100,Ann\n+14155550101,Bob\n+1415');
        else this.destroy(new Error('disk went away'));
      },
    });
    const file = await readCsv(input);
    const runs: (readonly CsvItem[])[] = [];
    const reading = (async () => {
      for await (const batch of file.batches) runs.push(batch);
    })();
    await expect(reading).rejects.toThrow('disk went away');
    expect(runs.flat()).toEqual([
      { kind: 'row', line: 2, fields: ['+14155550100', 'Ann'] },
      { kind: 'row', line: 3, fields: ['+14155550101', 'Bob'] },
    ]);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'herald-csv-'));

async function open(
  name: string,
  content: Buffer,
  format: CsvFormat = {},
): Promise<{ columns: readonly string[]; delimiter: string; rows: (readonly string[])[]; lines: number[] }> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const file = await openCsv(path, format);
  const rows: (readonly string[])[] = [];
  const lines: number[] = [];
  for await (const item of file.items) {
    if (item.kind === 'row') rows.push(item.fields);
    lines.push(item.line);
  }
  return { columns: file.columns, delimiter: file.delimiter, rows, lines };
}

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('openCsv', () => {
  it.each([
    ['UTF-8', Buffer.from('phone,name\n+14155550100,José\n')],
    ['UTF-8 with a BOM', Buffer.from('\uFEFFphone,name\n+14155550100,José\n')],
    ['UTF-16 LE with a BOM', Buffer.from('\uFEFFphone,name\r\n+14155550100,José\r\n', 'utf16le')],
    ['UTF-16 BE with a BOM', utf16be('\uFEFFphone,name\n+14155550100,José\n')],
  ])('reads %s', async (_what, content) => {
    expect(await open('encoded.csv', content)).toEqual({
      columns: ['phone', 'name'],
      delimiter: ',',
      rows: [['+14155550100', 'José']],
      lines: [2],
    });
  });

  it('reads a UTF-16 file bigger than one chunk with a letter split between chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, index) => `+1415555${String(index).padStart(4, '0')};Zoë ${index}`);
    const file = await open('big16.csv', Buffer.from(`\uFEFFphone;name\n${rows.join('\n')}\n`, 'utf16le'));
    expect(file.rows).toHaveLength(5000);
    expect(file.rows[4999]).toEqual(['+14155554999', 'Zoë 4999']);
    expect(file.rows.every(([, name]) => name!.startsWith('Zoë '))).toBe(true);
  });

  it('refuses a Windows-1252 file as a whole, naming its first bad line and the likely encoding', async () => {
    const content = Buffer.concat([
      Buffer.from('phone,name\n+14155550100,Ann\n\n+14155550101,Jos'),
      Buffer.from([0xe9]),
      Buffer.from(',x\n+14155550102,Ren'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const error = await open('excel.csv', content).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CsvFileError);
    expect((error as Error).message).toMatch(
      /excel\.csv is not UTF-8: line 4 has the byte 0xE9 \("\+14155550101,Jos\\xE9,x"\), likely Windows-1252 .*pass --encoding windows-1252, or save the file as "CSV UTF-8"$/,
    );
  });

  it('finds a bad byte far into the file, past many chunks, and counts its line', async () => {
    const good = Array.from({ length: 20_000 }, (_, index) => `+1415555${String(index % 10_000).padStart(4, '0')},Zoë`);
    const content = Buffer.concat([
      Buffer.from(`phone,name\n${good.join('\n')}\n+14155550100,M`),
      Buffer.from([0xfc, 0x6c]),
    ]);
    await expect(open('late.csv', content)).rejects.toThrow(/line 20002 has the byte 0xFC \("\+14155550100,M\\xFCl"\)/);
  });

  it('reads a Windows-1252 file when told its encoding', async () => {
    const content = Buffer.concat([
      Buffer.from('phone,name\n+14155550100,Jos'),
      Buffer.from([0xe9, 0x20, 0x80]),
      Buffer.from('\n'),
    ]);
    expect((await open('cp1252.csv', content, { encoding: 'windows-1252' })).rows).toEqual([
      ['+14155550100', 'José €'],
    ]);
  });

  it('refuses a byte order mark that disagrees with --encoding, and names UTF-16 without one', async () => {
    await expect(open('bom.csv', Buffer.from('\uFEFFphone\n1\n', 'utf16le'), { encoding: 'latin1' })).rejects.toThrow(
      /starts with a UTF-16LE byte order mark, but --encoding says latin1/,
    );
    await expect(open('nobom.csv', Buffer.from('phone,name\n+14155550100,Ann\n', 'utf16le'))).rejects.toThrow(
      /looks like UTF-16 without a byte order mark: pass --encoding utf-16le/,
    );
    expect(
      (await open('nobom.csv', Buffer.from('phone\n+14155550100\n', 'utf16le'), { encoding: 'utf-16le' })).rows,
    ).toEqual([['+14155550100']]);
  });

  it.each([
    ['semicolons', 'phone;name;note\n+14155550100;Ann;"a, b"\n', ';'],
    ['tabs', 'phone\tname\n+14155550100\tAnn, Jr\n', '\t'],
    ['commas, with a semicolon inside a quoted header', '"phone;mobile",name\n+14155550100,Ann\n', ','],
  ])('finds the delimiter from the header row: %s', async (_what, text, delimiter) => {
    const file = await open('delimited.csv', Buffer.from(text));
    expect(file.delimiter).toBe(delimiter);
    expect(file.rows[0]?.[0]).toBe('+14155550100');
    expect(file.rows[0]).toHaveLength(file.columns.length);
  });

  it('uses the delimiter it is given', async () => {
    expect((await open('piped.csv', Buffer.from('phone|name\n+14155550100|Ann\n'), { delimiter: '|' })).rows).toEqual([
      ['+14155550100', 'Ann'],
    ]);
  });

  it('refuses a binary file with one readable line', async () => {
    const path = join(dir, 'recipients.xlsx');
    writeFileSync(path, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]));
    await expect(openCsv(path)).rejects.toThrow(/is not a CSV file/);
    await expect(openCsv(join(dir, 'missing.csv'))).rejects.toThrow(/no such file/);
  });
});
