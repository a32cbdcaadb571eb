import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderErrorJson } from '../../../src/sts/json.js';
import { escapeXml, renderErrorResponse } from '../../../src/sts/xml.js';

// XML 1.0 §2.2 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

describe('escapeXml', () => {
  test('markup characters are escaped, quotes kept as AWS sends them (§1.4)', () => {
    assert.equal(escapeXml(`a<b>&"c'`), `a&lt;b&gt;&amp;"c'`);
  });

  test('characters XML 1.0 cannot carry become U+FFFD; the rest of the text is kept', () => {
    const iss = 'https://issuer.example\u0000\u0001\u0008\u000B\u000C\u001F/\uFFFE\uFFFF';
    const escaped = escapeXml(iss);
    assert.equal(escaped, 'https://issuer.example\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD/\uFFFD\uFFFD');
    assert.match(escaped, XML_CHAR);
  });

  test('lone surrogates are replaced; a surrogate pair (a real character) is kept', () => {
    assert.equal(escapeXml('a\uD800b\uDC00c'), 'a\uFFFDb\uFFFDc');
    assert.equal(escapeXml('😀'), '😀');
  });

  test('CR survives as a reference (a raw CR would be read as LF); tab and LF stay', () => {
    assert.equal(escapeXml('a\rb\tc\nd'), 'a&#13;b\tc\nd');
  });

  test('every one of the 65,536 code units yields text XML 1.0 allows', () => {
    for (let unit = 0; unit <= 0xffff; unit++) {
      const escaped = escapeXml(`x${String.fromCharCode(unit)}y`);
      assert.match(escaped, XML_CHAR, `U+${unit.toString(16)}`);
    }
  });
});

describe('error bodies echo client strings safely', () => {
  const error = {
    code: 'InvalidIdentityToken',
    status: 400,
    type: 'Sender' as const,
    message: 'No OpenIDConnect provider found in your account for https://a\u0001</Message><x>',
  };

  test('XML: the echoed value cannot close elements or carry a control character', () => {
    const xml = renderErrorResponse(error, 'req-1');
    assert.match(xml, XML_CHAR);
    assert.ok(xml.includes('https://a\uFFFD&lt;/Message&gt;&lt;x&gt;</Message>'));
    assert.equal(xml.match(/<\/Message>/g)?.length, 1);
  });

  test('JSON: the body parses back to the exact message', () => {
    const parsed = JSON.parse(renderErrorJson(error, 'req-1')) as {
      Error: { Message: string };
      RequestId: string;
    };
    assert.equal(parsed.Error.Message, error.message);
    assert.equal(parsed.RequestId, 'req-1');
  });
});
