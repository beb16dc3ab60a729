import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bySeverity, severityRank, sortBySeverity, type Finding } from './finding.js';

test('sortBySeverity: most severe first, equal severities keep their order, input untouched', () => {
  const f: Finding[] = [
    { severity: 'info', code: 'a', message: '' },
    { severity: 'blocker', code: 'b', message: '' },
    { severity: 'warning', code: 'c', message: '' },
    { severity: 'blocker', code: 'd', message: '' },
    { severity: 'info', code: 'e', message: '' },
  ];
  assert.deepEqual(sortBySeverity(f).map((x) => x.code), ['b', 'd', 'c', 'a', 'e']);
  assert.deepEqual(f.map((x) => x.code), ['a', 'b', 'c', 'd', 'e']);
});

test('bySeverity agrees with severityRank', () => {
  assert.ok(severityRank.blocker < severityRank.warning && severityRank.warning < severityRank.info);
  assert.ok(bySeverity({ severity: 'blocker' }, { severity: 'info' }) < 0);
  assert.equal(bySeverity({ severity: 'warning' }, { severity: 'warning' }), 0);
});
