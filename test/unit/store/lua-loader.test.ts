import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { loadLua } from '../../../src/store/lua-loader.js';

function scriptsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-lua-'));
  mkdirSync(join(dir, 'includes'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadLua', () => {
  it('reads the key count from the file name and inlines each piece once', () => {
    const dir = scriptsDir({
      'settle-3.lua': '--- @include "a"\n--- @include "b"\nreturn 1',
      'includes/a.lua': 'local function a() end\n--- @include "b"',
      'includes/b.lua': 'local function b() end',
    });
    const script = loadLua('settle', dir);
    expect(script.numberOfKeys).toBe(3);
    expect(script.source.match(/local function b/g)).toHaveLength(1);
    expect(script.source.indexOf('function b')).toBeLessThan(script.source.indexOf('return 1'));
  });

  it('names a cycle of includes', () => {
    const dir = scriptsDir({
      'loop-1.lua': '--- @include "a"',
      'includes/a.lua': '--- @include "b"',
      'includes/b.lua': '--- @include "a"',
    });
    expect(() => loadLua('loop', dir)).toThrow('Lua include cycle: a → b → a');
  });

  it('names an include that does not exist, and the file that asked for it', () => {
    const dir = scriptsDir({ 'lost-1.lua': '--- @include "a"', 'includes/a.lua': '--- @include "gone"' });
    expect(() => loadLua('lost', dir)).toThrow(/^Lua include "gone" \(in a\.lua\): no .*gone\.lua$/);
  });

  it('names a script that does not exist', () => {
    expect(() => loadLua('missing', scriptsDir({}))).toThrow(/no Lua script missing-<keys>\.lua/);
  });
});
