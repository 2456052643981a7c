import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeepalivedConfigError, type Directive } from '../../src/keepalived/directive.js';
import { readKeepalivedConfig } from '../../src/keepalived/parse.js';
import { tempDir } from '../tmpdir.js';
import { singleFileDir } from './fixtures.js';

/** Directives as `LINE keyword args…`, blocks indented, for readable deep-equals. */
function outline(directives: readonly Directive[], indent = ''): string[] {
  return directives.flatMap((d) => [
    `${indent}${d.at.line} ${[d.keyword, ...d.args].join('|')}${d.block === undefined ? '' : ' {'}`,
    ...(d.block === undefined ? [] : outline(d.block, `${indent}  `)),
  ]);
}

function read(text: string, configId = 'none'): string[] {
  const dir = singleFileDir(text);
  try {
    return outline(readKeepalivedConfig(dir.main, { configId }).directives);
  } finally {
    dir.remove();
  }
}

function readError(text: string): KeepalivedConfigError {
  const dir = singleFileDir(text);
  try {
    readKeepalivedConfig(dir.main, { configId: 'none' });
  } catch (error) {
    assert.ok(error instanceof KeepalivedConfigError, String(error));
    assert.ok(error.message.startsWith(`${dir.main}:${error.at.line}: `), error.message);
    return error;
  } finally {
    dir.remove();
  }
  assert.fail('expected a KeepalivedConfigError');
}

describe('keepalived.conf reader', () => {
  it('drops # and ! comments anywhere outside quotes, and keeps every line number', () => {
    assert.deepEqual(
      read(`! Configuration File for keepalived
global_defs {   # the globals
   router_id lb-1 ! trailing bang comment
}
vrrp_script chk {
  script "/bin/check --tag #1 !x"
}
`),
      [
        '2 global_defs {',
        '  3 router_id|lb-1',
        '5 vrrp_script|chk {',
        '  6 script|/bin/check --tag #1 !x',
      ],
    );
  });

  it('reads quoted strings as keepalived does: joined parts, kept spaces, escapes', () => {
    assert.deepEqual(
      read(`a "two words" 'single q'
b abcd" efg h jkl "mnop
c "tab\\there" "quote\\"inside"
`),
      ['1 a|two words|single q', '2 b|abcd efg h jkl mnop', '3 c|tab\there|quote"inside'],
    );
  });

  it('parses nested blocks with { on the same line, on its own line, and one-line blocks', () => {
    assert.deepEqual(
      read(`vrrp_sync_group G1
{
  group { VI_1 VI_2 }
}
vrrp_instance VI_1 {
  virtual_ipaddress {
    10.0.0.1/24 dev eth0
  }
}
`),
      [
        '1 vrrp_sync_group|G1 {',
        '  3 group {',
        '    3 VI_1|VI_2',
        '5 vrrp_instance|VI_1 {',
        '  6 virtual_ipaddress {',
        '    7 10.0.0.1/24|dev|eth0',
      ],
    );
  });

  it('follows include globs relative to the including file, in sorted order, with their own line numbers', () => {
    const dir = tempDir('vipd-ka-');
    try {
      dir.file('conf.d/b.conf', '\n\nvrrp_instance B {\n}\n');
      dir.file('conf.d/a.conf', 'include ../more/*.inc\nvrrp_instance A {\n}\n');
      dir.file('more/x.inc', '# nested\nvrrp_script X {\n}\n');
      dir.file('conf.d/ignored.txt', 'not matched\n');
      const main = dir.file('keepalived.conf', 'global_defs {\n}\ninclude conf.d/*.conf\n');
      const config = readKeepalivedConfig(main, { configId: 'none' });
      assert.deepEqual(
        config.directives.map(
          (d) =>
            `${d.at.file.slice(dir.path.length + 1)}:${d.at.line} ${d.keyword} ${d.args.join(' ')}`,
        ),
        [
          'keepalived.conf:1 global_defs ',
          'more/x.inc:2 vrrp_script X',
          'conf.d/a.conf:2 vrrp_instance A',
          'conf.d/b.conf:3 vrrp_instance B',
        ],
      );
      assert.deepEqual(
        config.files.map((f) => f.slice(dir.path.length + 1)),
        ['keepalived.conf', 'conf.d/a.conf', 'more/x.inc', 'conf.d/b.conf'],
      );
    } finally {
      dir.remove();
    }
  });

  it('keeps @id lines for that config id only and @^id lines for every other', () => {
    const text = `global_defs {
@lb1 router_id one
@lb2 router_id two
}
unicast_peer {
@^lb1 192.0.2.1
@^lb2 192.0.2.2
}
`;
    assert.deepEqual(read(text, 'lb1'), [
      '1 global_defs {',
      '  2 router_id|one',
      '5 unicast_peer {',
      '  7 192.0.2.2',
    ]);
    assert.deepEqual(read(text, 'lb2'), [
      '1 global_defs {',
      '  3 router_id|two',
      '5 unicast_peer {',
      '  6 192.0.2.1',
    ]);
    assert.deepEqual(read(text, 'other'), [
      '1 global_defs {',
      '5 unicast_peer {',
      '  6 192.0.2.1',
      '  7 192.0.2.2',
    ]);
  });

  it('substitutes $NAME and ${NAME}, recursively, at use; multi-line definitions expand to lines', () => {
    assert.deepEqual(
      read(`$BASE=10.2.\${SUB}
$SUB=0
$INSTANCE= \\
vrrp_instance VI_\${SUB} { \\
  virtual_router_id 1\${SUB} \\
}
a \${BASE}.100/32 $UNDEFINED
$SUB=5
$INSTANCE
`),
      ['7 a|10.2.0.100/32|$UNDEFINED', '9 vrrp_instance|VI_5 {', '  9 virtual_router_id|15'],
    );
  });

  it('refuses a } that closes nothing, naming its line', () => {
    const error = readError('global_defs {\n}\n}\n');
    assert.equal(error.code, 'KEEPALIVED_SYNTAX');
    assert.equal(error.at.line, 3);
    assert.match(error.message, /'}' closes no open block/);
  });

  it('refuses a { never closed, naming the line where it opened', () => {
    const error = readError(
      'global_defs {\n}\nvrrp_instance VI_1 {\n  virtual_ipaddress {\n    10.0.0.1\n}\n',
    );
    assert.equal(error.code, 'KEEPALIVED_SYNTAX');
    assert.equal(error.at.line, 3);
    assert.match(error.message, /never closed/);
  });

  it('refuses a { with no directive before it and a quote never closed', () => {
    const brace = readError('{\n}\n');
    assert.equal(brace.code, 'KEEPALIVED_SYNTAX');
    assert.equal(brace.at.line, 1);
    const quote = readError('vrrp_script a {\n  script "/bin/x\n}\n');
    assert.equal(quote.code, 'KEEPALIVED_SYNTAX');
    assert.equal(quote.at.line, 2);
    assert.match(quote.message, /the " opened in column 10 is never closed/);
  });

  it('refuses an include that matches nothing, an include loop and a missing file', () => {
    const none = readError('\ninclude conf.d/*.conf\n');
    assert.equal(none.code, 'KEEPALIVED_INCLUDE_FAILED');
    assert.equal(none.at.line, 2);
    assert.match(none.message, /matches no file/);
    const missing = readError('include missing.conf\n');
    assert.equal(missing.code, 'KEEPALIVED_UNREADABLE');
    assert.match(missing.message, /missing\.conf \(ENOENT\)/);
    const dir = tempDir('vipd-ka-');
    try {
      dir.file('a.conf', 'include b.conf\n');
      dir.file('b.conf', '\ninclude a.conf\n');
      assert.throws(
        () => readKeepalivedConfig(`${dir.path}/a.conf`, { configId: 'none' }),
        (error: KeepalivedConfigError) =>
          error.code === 'KEEPALIVED_INCLUDE_FAILED' &&
          error.message === `${dir.path}/b.conf:2: ${dir.path}/a.conf includes itself`,
      );
      assert.throws(
        () => readKeepalivedConfig(`${dir.path}/nope.conf`, { configId: 'none' }),
        (error: KeepalivedConfigError) =>
          error.code === 'KEEPALIVED_UNREADABLE' &&
          error.message.startsWith(`${dir.path}/nope.conf: cannot read`),
      );
    } finally {
      dir.remove();
    }
  });
});
