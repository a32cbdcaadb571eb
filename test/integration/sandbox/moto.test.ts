import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMoto } from '../../../src/sandbox/moto.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('moto starts on a free loopback port, resets, and stops without leaving a process', async () => {
  const moto = await startMoto();
  try {
    assert.match(moto.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(alive(moto.pid));
    const created = await fetch(`${moto.endpoint}/reset-check-bucket`, { method: 'PUT' });
    await created.arrayBuffer();
    await moto.reset();
    const after = await fetch(`${moto.endpoint}/reset-check-bucket`);
    await after.arrayBuffer();
    assert.equal(after.status, 404, 'reset forgot the bucket');
  } finally {
    await moto.stop();
  }
  assert.equal(alive(moto.pid), false);
  await moto.stop(); // idempotent
});

test('a moto that cannot start fails with a clear error naming the command', async () => {
  await assert.rejects(
    startMoto({ python: '/nonexistent/python3', startTimeoutMs: 2000 }),
    /could not start moto_server with \/nonexistent\/python3/,
  );
});
