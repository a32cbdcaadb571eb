import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAccessLog, loggedPath, type AccessLogEntry } from '../../../src/serve/access-log.js';

const ENTRY: AccessLogEntry = {
  time: '2026-01-15T12:00:00.000Z',
  remoteAddress: '203.0.113.7',
  method: 'GET',
  path: '/c1/keys.json',
  status: 200,
  bytes: 1234,
  durationMs: 1.23456,
  userAgent: 'curl/8.0',
};

test('json: one object a line with every field', () => {
  const line = formatAccessLog(ENTRY, 'json')!;
  assert.ok(line.endsWith('}\n'));
  assert.equal(line.split('\n').length, 2);
  assert.deepEqual(JSON.parse(line), { ...ENTRY, durationMs: 1.235 });
});

test('text: one line; a hostile user agent cannot forge a line or a field', () => {
  assert.equal(
    formatAccessLog(ENTRY, 'text'),
    '2026-01-15T12:00:00.000Z 203.0.113.7 "GET /c1/keys.json" 200 1234 1.235ms "curl/8.0"\n',
  );
  const hostile = formatAccessLog({ ...ENTRY, userAgent: 'x"\n2026 forged "GET /" 200\u001b[31m' }, 'text')!;
  assert.equal(hostile.split('\n').length, 2);
  assert.match(hostile, /"x\\" *\\u000a2026 forged \\"GET \/\\" 200\\u001b\[31m"\n$/);
});

test('none: nothing', () => {
  assert.equal(formatAccessLog(ENTRY, 'none'), undefined);
});

test('the query is never logged; long fields are clipped', () => {
  assert.equal(loggedPath('/c1/keys.json?token=secret'), '/c1/keys.json');
  const long = formatAccessLog({ ...ENTRY, userAgent: 'a'.repeat(5000) }, 'json')!;
  assert.ok(long.length < 1000);
});
