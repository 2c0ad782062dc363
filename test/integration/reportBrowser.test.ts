/**
 * The health report seen in a real browser: Debian's `chromium` driven by puppeteer-core renders the report of the
 * scripted day (§9.3 failover, heal, witness down 3 minutes, heal) and of two neighbours, takes a PNG screenshot,
 * and checks that the timelines are visible, that there is one failover marker per failover, and that the page
 * logs no console error and throws no page error. Skipped, with a notice, when /usr/bin/chromium is absent
 * (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { buildReport } from '../../shared/reports/figures';
import { renderReportHtml } from '../../shared/reports/html';
import { fleetNeighbours, scriptedDay } from '../support/reportHistories';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`NOTICE: ${CHROMIUM} not found — the report browser test is skipped (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('health report in headless Chromium', () => {
  it('renders the scripted day: timelines visible, one failover marker, no console errors', async () => {
    const { history, period } = scriptedDay();
    const report = buildReport([history, ...fleetNeighbours(period)], period, {
      generatedAt: '2026-11-25T08:00:05.000Z',
    });
    const expectedFailovers = report.clusters.reduce((n, c) => n + c.failovers.length, 0);
    expect(expectedFailovers).toBe(1);
    const html = renderReportHtml(report);
    // Self-contained: nothing is fetched from anywhere.
    expect(html).not.toMatch(/<(script|link|img)\b/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/(?!qwk-ops\.example)/i);

    const dir = mkdtempSync(path.join(tmpdir(), 'qwk-report-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new'],
      headless: true,
    });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewport({ width: 1200, height: 900, deviceScaleFactor: 1 });
      await page.goto(`file://${file}`, { waitUntil: 'load' });

      const timelines = await page.$$('svg.timeline');
      expect(timelines).toHaveLength(report.clusters.length);
      for (const svg of timelines) {
        const box = await svg.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.width).toBeGreaterThan(500);
        expect(box!.height).toBeGreaterThan(100);
        expect(await svg.isVisible()).toBe(true);
      }
      const markers = await page.$$('svg.timeline .marker.failover');
      expect(markers).toHaveLength(expectedFailovers);
      const markerBox = await markers[0].boundingBox();
      expect(markerBox && markerBox.width > 0 && markerBox.height > 0).toBe(true);
      // The failover marker sits where d3's scale puts 09:14:50 on the first timeline (first cluster = the riskiest).
      const fleetFirst = await page.$eval('table.fleet tbody tr td a', (a) => a.textContent);
      expect(fleetFirst).toBe(report.fleet[0].name);
      const text = await page.$eval('body', (b) => b.innerText);
      expect(text).toContain('Clstr-nodeA → Clstr-nodeB');
      expect(text).toContain('40 s');
      expect(text).toContain('Restore West-witness');

      const png = path.join(dir, 'report.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);
      console.log(`report screenshot: ${png}`);
    } finally {
      await browser.close();
    }
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  });
});
