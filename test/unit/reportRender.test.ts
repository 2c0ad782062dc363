import { describe, expect, it } from 'vitest';
import { buildReport } from '../../shared/reports/figures';
import { esc, formatDuration, formatPercent, renderReportHtml, timelineSvg } from '../../shared/reports/html';
import { parseReportJson, renderReportJson, REPORT_JSON_VERSION } from '../../shared/reports/json';
import { A, B, cluster, fleetNeighbours, history, piecewise, scriptedDay } from '../support/reportHistories';

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('report HTML', () => {
  it('is one self-contained page: inline style, no script, no external asset', () => {
    const { history: h, period } = scriptedDay();
    const html = renderReportHtml(buildReport([h, ...fleetNeighbours(period)], period, { generatedAt: period.to }));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(count(html, /<svg class="timeline"/g)).toBe(3);
    // One failover marker in the whole report (the scripted day's §9.3 failover), maintenance shaded once.
    expect(count(html, /class="marker failover/g)).toBe(1);
    expect(count(html, /<rect class="maintenance"/g)).toBe(1);
    // Tick labels from d3-scale's UTC ticks over the day: every 3 hours, midnight labelled with the date.
    expect(html).toContain('>12:00</text>');
    expect(html).toContain('>Nov 25</text>');
  });

  it('draws one failover marker per failover, with a stable class', () => {
    const period = { from: '2026-11-24T08:00:00.000Z', to: '2026-11-24T09:00:00.000Z' };
    const h = history({
      states: [
        { at: '2026-11-24T07:00:00.000Z', state: 'Healthy', activeNode: A },
        { at: '2026-11-24T08:10:00.000Z', state: 'FailedOver', activeNode: B },
        { at: '2026-11-24T08:30:00.000Z', state: 'FailedOver', activeNode: A },
        { at: '2026-11-24T08:45:00.000Z', state: 'FailedOver', activeNode: B },
      ],
      probes: piecewise([
        [period.from, [A]],
        ['2026-11-24T08:10:00.000Z', [B]],
        ['2026-11-24T08:30:00.000Z', [A]],
        ['2026-11-24T08:45:00.000Z', [B]],
        [period.to],
      ]),
    });
    const report = buildReport([h], period, { generatedAt: period.to });
    expect(report.clusters[0].failovers).toHaveLength(3);
    const svg = timelineSvg(report.clusters[0], 0);
    expect(count(svg, /<g class="marker failover"/g)).toBe(3);
  });

  it('escapes every recorded text', () => {
    const period = { from: '2026-11-24T08:00:00.000Z', to: '2026-11-24T09:00:00.000Z' };
    const evil = `<script>alert("x")</script>&'`;
    const h = history({
      cluster: cluster({ name: evil, nodes: [`<b>${A}`, B], witness: `"${evil}` }),
      states: [{ at: '2026-11-24T07:00:00.000Z', state: 'WitnessLost', activeNode: `<b>${A}` }],
      maintenance: [{ from: '2026-11-24T08:10:00.000Z', to: '2026-11-24T08:20:00.000Z', reason: evil }],
      incidents: [{ key: 'k', kind: 'WitnessLost', severity: 'critical', openedAt: '2026-11-24T07:00:00.000Z' }],
      notifications: [
        { transitionId: 't', incidentKey: 'k', route: evil, status: 'failed', at: '2026-11-24T08:30:00.000Z' },
      ],
    });
    const html = renderReportHtml(buildReport([h], period, { generatedAt: period.to }));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it.each([
    [0, '0 s'],
    [40, '40 s'],
    [60, '1 min'],
    [1770, '29 min 30 s'],
    [3720, '1 h 02 min'],
    [90000, '1 d 1 h'],
    [null, '—'],
  ])('formatDuration(%s) = %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  it.each([
    [1, '100 %'],
    [59 / 60, '98.33 %'],
    [0.99995, '99.995 %'],
    [0, '0 %'],
    [null, 'no data'],
  ])('formatPercent(%s) = %s', (share, text) => expect(formatPercent(share)).toBe(text));

  it('esc escapes the five HTML characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('report JSON', () => {
  it('carries the same data with a version, and reads back', () => {
    const { history: h, period } = scriptedDay();
    const report = buildReport([h], period, { generatedAt: period.to });
    const text = renderReportJson(report);
    const back = parseReportJson(text);
    expect(back.version).toBe(REPORT_JSON_VERSION);
    expect(back.kind).toBe('qwk-health-report');
    expect(back.clusters[0].failovers[0].rtoSeconds).toBe(40);
    const { version: _v, kind: _k, ...rest } = back;
    expect(rest).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it.each([
    ['not JSON', '{', /invalid JSON/],
    ['another kind', '{"kind":"other"}', /kind is missing/],
    ['another version', '{"kind":"qwk-health-report","version":2}', /version 2 is not supported/],
    ['no clusters', '{"kind":"qwk-health-report","version":1,"id":"x"}', /clusters or fleet missing/],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parseReportJson(text)).toThrow(message);
  });
});
