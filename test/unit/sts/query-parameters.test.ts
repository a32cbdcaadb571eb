import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FirstWinsParameters, countFormPieces } from '../../../src/sts/query-parameters.js';

describe('FirstWinsParameters', () => {
  test('the first occurrence of a name wins, across query string and body (aws-sts-2026.md §4)', () => {
    const params = new FirstWinsParameters();
    params.addForm('Action=A&Version=1');
    params.addForm('Action=B&RoleArn=r&RoleArn=s');
    assert.equal(params.get('Action'), 'A');
    assert.equal(params.get('RoleArn'), 'r');
    assert.deepEqual(
      [...params],
      [
        ['Action', 'A'],
        ['Version', '1'],
        ['RoleArn', 'r'],
      ],
    );
  });

  test('form decoding: + is a space, percent escapes decode as UTF-8, names are case-sensitive', () => {
    const params = new FirstWinsParameters();
    params.addForm('RoleSessionName=a+b&Policy=%7B%22x%22%3A1%7D&action=x&T=%E2%82%AC');
    assert.equal(params.get('RoleSessionName'), 'a b');
    assert.equal(params.get('Policy'), '{"x":1}');
    assert.equal(params.get('Action'), null);
    assert.equal(params.get('T'), '€');
  });

  test('100,000 distinct parameters are read in linear time', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `p${i}=v${i}`).join('&');
    const started = process.hrtime.bigint();
    const params = new FirstWinsParameters();
    params.addForm(text);
    assert.equal(params.size, 100_000);
    assert.equal(params.get('p99999'), 'v99999');
    // Generous bound, not a performance claim: the former quadratic merge took tens of seconds.
    assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
  });
});

describe('countFormPieces', () => {
  test('counts &-separated pieces without parsing', () => {
    assert.equal(countFormPieces(''), 0);
    assert.equal(countFormPieces('a=1'), 1);
    assert.equal(countFormPieces('a=1&b=2&&c'), 4);
  });
});
