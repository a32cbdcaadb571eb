import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { answerHeaders, formatHttpDate, newReply } from '../../../src/sts/respond.js';

// The headers every answer of the validating STS carries (aws-sts-2026.md §4).

/** A response never written to: these tests only read the reply's headers. */
const fakeResponse = new ServerResponse(new IncomingMessage(new Socket()));

describe('answerHeaders', () => {
  test('Date comes from the server clock, with both request ids', () => {
    const reply = newReply(fakeResponse, 'xml', () => new Date('2026-11-29T21:50:34.999Z'));
    const headers = answerHeaders(reply);
    assert.deepEqual(Object.keys(headers).sort(), [
      'Date',
      'x-amz-sts-extended-request-id',
      'x-amzn-RequestId',
    ]);
    assert.equal(headers['Date'], 'Sun, 29 Nov 2026 21:50:34 GMT');
    assert.match(
      headers['x-amzn-RequestId'] ?? '',
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    assert.match(headers['x-amz-sts-extended-request-id'] ?? '', /^[A-Za-z0-9+/]{22}==$/);
  });

  test('a given clock reading wins over a later one (Expiration = Date + duration)', () => {
    let now = Date.parse('2026-11-29T21:50:34.900Z');
    const reply = newReply(fakeResponse, 'json', () => new Date(now));
    const reading = reply.clock();
    now += 200; // the next second has begun by the time the answer is written
    assert.equal(answerHeaders(reply, reading)['Date'], 'Sun, 29 Nov 2026 21:50:34 GMT');
    assert.equal(answerHeaders(reply)['Date'], 'Sun, 29 Nov 2026 21:50:35 GMT');
  });

  test('each reply has its own ids', () => {
    const clock = (): Date => new Date();
    const a = newReply(fakeResponse, 'xml', clock);
    const b = newReply(fakeResponse, 'xml', clock);
    assert.notEqual(a.requestId, b.requestId);
    assert.notEqual(a.extendedRequestId, b.extendedRequestId);
  });
});

describe('formatHttpDate', () => {
  test('IMF-fixdate, whole seconds, also across second boundaries', () => {
    assert.equal(formatHttpDate(new Date('2026-01-02T03:04:05.000Z')), 'Fri, 02 Jan 2026 03:04:05 GMT');
    assert.equal(formatHttpDate(new Date('2026-01-02T03:04:05.999Z')), 'Fri, 02 Jan 2026 03:04:05 GMT');
    assert.equal(formatHttpDate(new Date('2026-01-02T03:04:06.001Z')), 'Fri, 02 Jan 2026 03:04:06 GMT');
    assert.equal(formatHttpDate(new Date('2025-12-31T23:59:59.500Z')), 'Wed, 31 Dec 2025 23:59:59 GMT');
  });
});
