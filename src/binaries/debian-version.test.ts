import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamFromDebian } from './debian-version.js';

test('upstreamFromDebian maps Debian package versions to etcd releases', () => {
  const cases: [string, string | undefined][] = [
    ['3.3.25+dfsg-6+b6', '3.3.25'],
    ['3.4.23-2', '3.4.23'],
    ['3.5.16-4', '3.5.16'],
    ['3.5.30-2', '3.5.30'],
    ['1:3.4.23-2', '3.4.23'],
    ['3.5.30+ds1-1~bpo12+1', '3.5.30'],
    ['3.6.0~rc.1-1', '3.6.0-rc.1'],
    ['3.6.0~rc1-1', '3.6.0-rc.1'],
    ['3.5.1+really3.5.0-1', '3.5.0'],
    ['3.4.23', '3.4.23'],
    ['0.4.6-1', '0.4.6'],
    ['garbage', undefined],
    ['', undefined],
  ];
  for (const [deb, want] of cases) assert.equal(upstreamFromDebian(deb), want, deb);
});
