/**
 * The report as one self-contained HTML page: inline CSS, inline SVG, no script, no external asset; readable
 * offline and printable. Every piece of recorded text is escaped. The timeline's time scale, ticks and tick labels
 * come from d3-scale (scaleUtc). Pure.
 */
import { scaleUtc } from 'd3-scale';
import type { ClusterState, Severity } from '../monitoring/contracts';
import type { ClusterFigures, FleetRow, HealthReport, MinuteClass, Span } from './figures';

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// ---------- formatting ----------

export function formatPercent(share: number | null): string {
  if (share === null) return 'no data';
  const p = share * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p >= 99.99 ? p.toFixed(3) : p.toFixed(2)} %`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '—';
}

// ---------- colours ----------

const NODE_COLOURS = ['#2563eb', '#7c3aed', '#0891b2', '#be185d'] as const;
/** The palette colour of the k-th node (k ≥ 0), cycling through the palette. */
const paletteColour = (k: number): string => NODE_COLOURS[k % NODE_COLOURS.length] ?? NODE_COLOURS[0];
const MINUTE_COLOURS: Record<MinuteClass, string> = {
  up: '#16a34a',
  outage: '#dc2626',
  splitBrain: '#c026d3',
  noData: '#9ca3af',
  maintenance: '#93c5fd',
};
const MINUTE_LABELS: Record<MinuteClass, string> = {
  up: 'one node answers',
  outage: 'no node answers (outage)',
  splitBrain: 'both answer (split brain)',
  noData: 'no probe data',
  maintenance: 'maintenance',
};
const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#dc2626',
  error: '#ea580c',
  warning: '#ca8a04',
  info: '#6b7280',
};

function stateClass(state: ClusterState | 'Unknown'): string {
  switch (state) {
    case 'Healthy':
      return 'ok';
    case 'SplitBrain':
    case 'Outage':
    case 'WitnessLost':
      return 'critical';
    case 'FailedOver':
    case 'NodeLost':
      return 'error';
    case 'CommPathsDown':
    case 'MonitoringBlind':
      return 'warning';
    case 'Unknown':
      return 'unknown';
  }
}

function badge(state: ClusterState | 'Unknown'): string {
  return `<span class="badge ${stateClass(state)}">${esc(state)}</span>`;
}

// ---------- the SVG timeline ----------

const WIDTH = 1040;
const LABEL = 150;
const RIGHT = 24;
const ROW = 22;
const GAP = 8;

/** Inline SVG timeline of one cluster; `n` makes ids unique within the page. */
export function timelineSvg(f: ClusterFigures, n: number): string {
  const from = new Date(f.period.from);
  const to = new Date(f.period.to);
  const x = scaleUtc()
    .domain([from, to])
    .range([LABEL, WIDTH - RIGHT]);
  const X = (iso: string) => x(new Date(iso));
  const rows = [
    'Active node',
    'Probe answers',
    ...f.cluster.nodes.map((node) => `QWK ${node}`),
    'Witness / relay',
    'Events',
  ];
  const top = 8;
  const rowY = (k: number) => top + k * (ROW + GAP);
  const height = rowY(rows.length) + 34;
  const nodeColour = (node: string | null) =>
    node === null ? '#d1d5db' : paletteColour(Math.max(0, f.cluster.nodes.indexOf(node)));
  const rect = (cls: string, a: string, b: string, y: number, h: number, fill: string, title: string) => {
    const x0 = X(a);
    const w = Math.max(1.5, X(b) - x0);
    return `<rect class="${cls}" x="${x0.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${h}" fill="${fill}"><title>${esc(title)}</title></rect>`;
  };
  const out: string[] = [];
  const grid: string[] = [];
  const axisY = rowY(rows.length) - GAP + 4;
  const span = (s: Pick<Span, 'from' | 'to'>) => `${formatTime(s.from)} → ${formatTime(s.to)}`;

  // Row labels and baselines.
  const rowsBg: string[] = [];
  rows.forEach((label, k) => {
    rowsBg.push(
      `<text class="row-label" x="${LABEL - 10}" y="${rowY(k) + ROW / 2 + 4}" text-anchor="end">${esc(label)}</text>`,
      `<rect class="row-bg" x="${LABEL}" y="${rowY(k)}" width="${WIDTH - RIGHT - LABEL}" height="${ROW}" fill="#f3f4f6"/>`,
    );
  });
  // Axis: d3-scale's ticks and tick format (UTC).
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const ticks = x.ticks(days > 3 ? 7 : 12);
  const hm = x.tickFormat(12, days > 3 ? '%b %d' : '%H:%M');
  const dayLabel = x.tickFormat(12, '%b %d');
  grid.push(`<line class="axis" x1="${LABEL}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}" stroke="#6b7280"/>`);
  for (const t of ticks) {
    const tx = x(t).toFixed(2);
    const midnight = t.getUTCHours() === 0 && t.getUTCMinutes() === 0;
    grid.push(
      `<line class="tick" x1="${tx}" x2="${tx}" y1="${top}" y2="${axisY + 5}" stroke="${midnight ? '#9ca3af' : '#d1d5db'}" stroke-width="1"/>`,
    );
    out.push(
      `<text class="tick-label" x="${tx}" y="${axisY + 18}" text-anchor="middle">${esc(midnight && days <= 3 ? dayLabel(t) : hm(t))}</text>`,
    );
  }
  out.push(`<text class="axis-unit" x="${WIDTH - RIGHT}" y="${axisY + 32}" text-anchor="end">UTC</text>`);

  // Watched part only: shade the time before registration.
  if (f.period.watchedFrom === null || f.period.watchedFrom > f.period.from) {
    const end = f.period.watchedFrom ?? f.period.to;
    out.push(
      `<rect class="not-watched" x="${LABEL}" y="${top}" width="${(X(end) - LABEL).toFixed(2)}" height="${rowY(rows.length) - GAP - top}" fill="url(#nw${n})"><title>${esc(`not registered yet (until ${formatTime(end)})`)}</title></rect>`,
    );
    if (X(end) - LABEL > 90) {
      out.push(
        `<text class="not-watched-label" x="${((LABEL + X(end)) / 2).toFixed(2)}" y="${rowY(1) + ROW / 2 + 4}" text-anchor="middle">not yet registered</text>`,
      );
    }
  }
  // Active node bands.
  for (const b of f.timeline.activeBands) {
    out.push(
      rect(
        'band active',
        b.from,
        b.to,
        rowY(0),
        ROW,
        nodeColour(b.node),
        `${b.node ?? 'no active node'} — ${b.state}, ${span(b)}`,
      ),
    );
  }
  // Probe availability.
  for (const r of f.timeline.probeRuns) {
    out.push(
      rect(
        `probe ${r.class}`,
        r.from,
        r.to,
        rowY(1),
        ROW,
        MINUTE_COLOURS[r.class],
        `${MINUTE_LABELS[r.class]}: ${span(r)}`,
      ),
    );
  }
  // QWK: objects advancing (green) with the gaps on top.
  f.cluster.nodes.forEach((node, k) => {
    const y = rowY(2 + k);
    if (f.period.watchedFrom) {
      out.push(
        rect('qwk ok', f.period.watchedFrom, f.period.to, y + 8, ROW - 16, '#86efac', `${node}: object advancing`),
      );
    }
    for (const g of f.timeline.qwkGaps.filter((g) => g.node === node)) {
      out.push(
        rect(
          'qwk gap',
          g.from,
          g.to,
          y,
          ROW,
          '#f97316',
          `${node}: object did not advance for ${formatDuration(g.seconds)} (${span(g)})`,
        ),
      );
    }
  });
  // Witness and relay.
  const wy = rowY(2 + f.cluster.nodes.length);
  for (const s of f.timeline.relaySilent)
    out.push(
      rect(
        'relay silent',
        s.from,
        s.to,
        wy + ROW / 2,
        ROW / 2,
        '#f59e0b',
        `relay silent ${formatDuration(s.seconds)} (${span(s)})`,
      ),
    );
  for (const s of f.timeline.witnessLost)
    out.push(
      rect(
        'witness lost',
        s.from,
        s.to,
        wy,
        ROW / 2,
        '#dc2626',
        `witness lost ${formatDuration(s.seconds)} (${span(s)})`,
      ),
    );
  // Events: incidents (circles by severity) and failovers (diamonds, one per failover).
  const ey = rowY(3 + f.cluster.nodes.length) + ROW / 2;
  for (const i of f.incidents.list) {
    if (i.openedAt < (f.period.watchedFrom ?? f.period.to)) continue;
    out.push(
      `<circle class="marker incident sev-${i.severity}" cx="${X(i.openedAt).toFixed(2)}" cy="${ey}" r="5" fill="${SEVERITY_COLOURS[i.severity]}" stroke="#fff" stroke-width="1"><title>${esc(`${i.kind}${i.node ? ` ${i.node}` : ''} (${i.severity}) opened ${formatTime(i.openedAt)}${i.resolvedAt ? `, resolved ${formatTime(i.resolvedAt)}` : ', still open'}`)}</title></circle>`,
    );
  }
  for (const fo of f.failovers) {
    const cx = X(fo.at);
    out.push(
      `<g class="marker failover${fo.planned ? ' planned' : ''}"><line x1="${cx.toFixed(2)}" x2="${cx.toFixed(2)}" y1="${top}" y2="${ey}" stroke="#111827" stroke-width="1.5" stroke-dasharray="3 2"/><path d="M${cx.toFixed(2)} ${ey - 8} l8 8 l-8 8 l-8 -8 z" fill="#111827"/><title>${esc(`${fo.planned ? 'planned switchover' : 'failover'} ${fo.from} → ${fo.to} at ${formatTime(fo.at)}; effective RTO ${formatDuration(fo.rtoSeconds)}`)}</title></g>`,
    );
  }
  // Maintenance shaded over every row.
  for (const m of f.timeline.maintenance) {
    out.push(
      `<rect class="maintenance" x="${X(m.from).toFixed(2)}" y="${top}" width="${Math.max(2, X(m.to) - X(m.from)).toFixed(2)}" height="${rowY(rows.length) - GAP - top}" fill="url(#mt${n})" stroke="#3b82f6" stroke-width="0.5"><title>${esc(`maintenance: ${m.reason} (${span(m)})`)}</title></rect>`,
    );
  }
  const defs = `<defs><pattern id="mt${n}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="rgba(147,197,253,0.25)"/><line x1="0" y1="0" x2="0" y2="6" stroke="rgba(59,130,246,0.55)" stroke-width="2"/></pattern><pattern id="nw${n}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="rgba(229,231,235,0.8)"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d1d5db" stroke-width="2"/></pattern></defs>`;
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${esc(`Timeline of ${f.cluster.name}`)}">${defs}${rowsBg.join('')}${grid.join('')}${out.join('')}</svg>`;
}

function legend(f: ClusterFigures): string {
  const item = (colour: string, label: string, shape = 'sw') =>
    `<span class="lg"><span class="${shape}" style="background:${colour}"></span>${esc(label)}</span>`;
  const nodes = f.cluster.nodes.map((node, k) => item(paletteColour(k), `${node} active`));
  return `<div class="legend">${[
    ...nodes,
    item(MINUTE_COLOURS.up, 'probe: one node answers'),
    item(MINUTE_COLOURS.outage, 'no node answers'),
    item(MINUTE_COLOURS.splitBrain, 'split brain'),
    item(MINUTE_COLOURS.noData, 'no data'),
    item('#f97316', 'QWK object gap'),
    item('#dc2626', 'witness lost'),
    item('#f59e0b', 'relay silent'),
    item('repeating-linear-gradient(45deg,#bfdbfe 0 3px,#60a5fa 3px 5px)', 'maintenance'),
    `<span class="lg"><span class="dia"></span>failover</span>`,
    item(SEVERITY_COLOURS.critical, 'incident (critical / error / warning)', 'dot'),
  ].join('')}</div>`;
}

// ---------- sections ----------

function card(title: string, value: string, detail: string, tone = ''): string {
  return `<div class="card ${tone}"><div class="card-title">${esc(title)}</div><div class="card-value">${esc(value)}</div><div class="card-detail">${detail}</div></div>`;
}

function tone(share: number | null, good: number, bad: number): string {
  if (share === null) return 'muted';
  return share >= good ? 'good' : share < bad ? 'bad' : 'warn';
}

function clusterSection(f: ClusterFigures, n: number): string {
  const av = f.availability;
  const rtos = f.failovers.map((x) => x.rtoSeconds).filter((x): x is number => x !== null);
  const longestQwk = f.qwk
    .map(
      (q) =>
        `<span class="nw">${esc(q.node)}</span>: ${q.longest ? `<span class="nw">${esc(formatDuration(q.longest.seconds))}</span>${q.longest.open ? ' <em>ongoing</em>' : ''}` : 'none'}`,
    )
    .join('<br>');
  const cards = [
    card(
      'Service availability',
      formatPercent(av.availability),
      `${av.upMinutes} of ${av.upMinutes + av.outageMinutes + av.splitBrainMinutes} min one node answered<br>${av.outageMinutes} min outage · ${av.splitBrainMinutes} min split brain${av.noDataMinutes ? `<br>${av.noDataMinutes} min no data` : ''}${av.maintenanceMinutes ? `<br>${av.maintenanceMinutes} min maintenance` : ''}`,
      tone(av.availability, 0.999, 0.99),
    ),
    card(
      'Failovers',
      String(f.failovers.length),
      f.failovers.length
        ? `effective RTO ${rtos.length ? esc(rtos.map((r) => formatDuration(r)).join(', ')) : 'unknown'}`
        : 'none in the period',
      f.failovers.some((x) => !x.planned) ? 'warn' : 'good',
    ),
    card(
      'Without a standby',
      formatDuration(f.withoutStandby.seconds),
      f.present.unprotected
        ? '<strong>still running on one node</strong>'
        : `${f.withoutStandby.spans.length} stretch(es)`,
      f.present.unprotected ? 'bad' : f.withoutStandby.seconds ? 'warn' : 'good',
    ),
    card(
      'Witness availability',
      formatPercent(f.witness.availability),
      `lost ${esc(formatDuration(f.witness.lostSeconds))}<br>relay ${esc(formatPercent(f.relay.availability))} (silent ${esc(formatDuration(f.relay.silentSeconds))})`,
      tone(f.witness.availability, 0.9999, 0.999),
    ),
    card('Longest QWK gap', formatDuration(Math.max(0, ...f.qwk.map((q) => q.longest?.seconds ?? 0))), longestQwk),
    card(
      'Incidents',
      `${f.incidents.opened} opened`,
      `${f.incidents.resolved} resolved · ${f.incidents.openAtEnd} open<br>time to resolve: median ${esc(formatDuration(f.incidents.medianSecondsToResolve))}, max ${esc(formatDuration(f.incidents.maxSecondsToResolve))}`,
      f.incidents.openAtEnd ? 'bad' : '',
    ),
    card(
      'Pages',
      `${f.pages.sent} sent`,
      `${f.pages.failed} failed${f.pages.byRoute.length ? `<br>${f.pages.byRoute.map((r) => `${esc(r.route)}: ${r.sent} sent / ${r.failed} failed`).join(' · ')}` : ''}`,
      f.pages.failed ? 'warn' : '',
    ),
  ].join('');

  const actions = f.present.actions.length
    ? `<div class="actions"><h3>What needs doing now</h3><ol>${f.present.actions.map((a) => `<li>${esc(a)}</li>`).join('')}</ol></div>`
    : `<div class="actions calm"><h3>What needs doing now</h3><p>Nothing: no incident is open.</p></div>`;

  const failoverRows = f.failovers
    .map(
      (x) =>
        `<tr><td>${esc(formatTime(x.at))}</td><td>${esc(x.from)} → ${esc(x.to)}</td><td>${esc(formatTime(x.oldLastAnswer))}</td><td>${esc(formatTime(x.newFirstAnswer))}</td><td class="num">${esc(formatDuration(x.rtoSeconds))}</td><td>${x.planned ? 'planned (maintenance)' : 'unplanned'}</td></tr>`,
    )
    .join('');
  const incidentRows = f.incidents.list
    .map(
      (i) =>
        `<tr><td><span class="sev" style="background:${SEVERITY_COLOURS[i.severity]}"></span>${esc(i.severity)}</td><td>${esc(i.kind)}${i.node ? ` ${esc(i.node)}` : ''}${i.maintenance ? ' <em>(maintenance)</em>' : ''}</td><td>${esc(formatTime(i.openedAt))}</td><td>${esc(i.resolvedAt ? formatTime(i.resolvedAt) : 'open')}</td><td class="num">${esc(formatDuration(i.secondsToResolve ?? null))}</td></tr>`,
    )
    .join('');
  const link = f.cluster.link ? ` · <a href="${esc(f.cluster.link)}">cluster page</a>` : '';
  return `<section class="cluster" id="c${n}">
<div class="cluster-head"><h2>${esc(f.cluster.name)} ${badge(f.present.state)}</h2>
<p class="meta">${esc(f.cluster.subscriptionId)} / ${esc(f.cluster.resourceGroup)}${f.cluster.serviceTag ? ` · ${esc(f.cluster.serviceTag)}` : ''} · nodes ${esc(f.cluster.nodes.join(', '))} · witness ${esc(f.cluster.witness)}${link}<br>
active node <strong>${esc(f.present.activeNode ?? 'unknown')}</strong> · ${esc(f.present.state)} since ${esc(formatTime(f.present.since))} · watched from ${esc(formatTime(f.period.watchedFrom))} · risk score ${f.risk.score}</p></div>
${actions}
<div class="cards">${cards}</div>
<figure class="chart">${timelineSvg(f, n)}${legend(f)}</figure>
${f.failovers.length ? `<h3>Failovers</h3><table><thead><tr><th>at</th><th>from → to</th><th>old node's last answer</th><th>new node's first answer</th><th>effective RTO</th><th></th></tr></thead><tbody>${failoverRows}</tbody></table>` : ''}
${f.incidents.list.length ? `<h3>Incidents</h3><table><thead><tr><th>severity</th><th>condition</th><th>opened</th><th>resolved</th><th>time to resolve</th></tr></thead><tbody>${incidentRows}</tbody></table>` : ''}
${f.risk.reasons.length ? `<p class="risk">Risk score ${f.risk.score}: ${esc(f.risk.reasons.join('; '))}.</p>` : ''}
</section>`;
}

function fleetTable(rows: FleetRow[]): string {
  const body = rows
    .map(
      (r, k) =>
        `<tr><td class="num">${r.rank}</td><td class="name"><a href="#c${k}">${esc(r.name)}</a>${r.name !== r.resourceGroup ? `<div class="sub">${esc(r.resourceGroup)}</div>` : ''}</td><td>${badge(r.state)}</td><td class="nw">${esc(r.activeNode ?? '—')}</td><td class="num">${esc(formatPercent(r.availability))}</td><td class="num">${r.failovers}</td><td class="num">${r.openIncidents}</td><td class="num"><strong>${r.riskScore}</strong></td><td>${esc(r.action ?? '—')}</td></tr>`,
    )
    .join('');
  return `<table class="fleet"><thead><tr><th>#</th><th>cluster</th><th>state now</th><th>active</th><th>availability</th><th>failovers</th><th>open</th><th>risk</th><th>what needs doing now</th></tr></thead><tbody>${body}</tbody></table>`;
}

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#111827;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 28px 48px}
header h1{font-size:24px;margin:0 0 4px;letter-spacing:-.01em}
header p{margin:0;color:#4b5563}
h2{font-size:19px;margin:0;display:flex;align-items:center;gap:10px}
h3{font-size:14px;margin:18px 0 6px;color:#374151;text-transform:uppercase;letter-spacing:.04em}
a{color:#1d4ed8}
table{width:100%;border-collapse:collapse;background:#fff;font-size:13px}
th{text-align:left;font-weight:600;color:#4b5563;border-bottom:2px solid #e5e7eb;padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid #f1f5f9;padding:6px 8px;vertical-align:top}
td.name{white-space:nowrap;font-weight:600}
.nw{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sub{color:#6b7280;font-size:12px}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:2px 8px;border-radius:999px;border:1px solid transparent}
.badge.ok{background:#dcfce7;color:#166534;border-color:#86efac}
.badge.critical{background:#fee2e2;color:#991b1b;border-color:#fca5a5}
.badge.error{background:#ffedd5;color:#9a3412;border-color:#fdba74}
.badge.warning{background:#fef9c3;color:#854d0e;border-color:#fde047}
.badge.unknown{background:#f3f4f6;color:#374151;border-color:#d1d5db}
section.fleet-summary,section.cluster{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:18px 20px;margin-top:20px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.meta{color:#4b5563;margin:6px 0 0;font-size:13px}
.actions{margin:14px 0 0;padding:10px 14px;border-left:4px solid #dc2626;background:#fef2f2;border-radius:6px}
.actions.calm{border-left-color:#16a34a;background:#f0fdf4}
.actions h3{margin:0 0 4px}
.actions ol,.actions p{margin:0;padding-left:18px}
.actions p{padding-left:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px;margin-top:14px}
.card{border:1px solid #e5e7eb;border-top:4px solid #d1d5db;border-radius:8px;padding:8px 10px;background:#fff}
.card.good{border-top-color:#16a34a}.card.warn{border-top-color:#f59e0b}.card.bad{border-top-color:#dc2626}.card.muted{border-top-color:#9ca3af}
.card-title{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#6b7280}
.card-value{font-size:20px;white-space:nowrap;font-weight:650;font-variant-numeric:tabular-nums;margin:2px 0}
.card-detail{font-size:12px;color:#4b5563}
figure.chart{margin:16px 0 0}
svg.timeline{display:block;font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .row-label{fill:#374151;font-weight:600}
svg .not-watched-label{fill:#6b7280;font-style:italic}
svg .tick-label,svg .axis-unit{fill:#4b5563;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:#374151;margin-top:6px;padding-left:150px}
.lg{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%}
.dia{display:inline-block;width:9px;height:9px;background:#111827;transform:rotate(45deg)}
.sev{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}
.risk{color:#6b7280;font-size:12px;margin:10px 0 0}
footer{color:#6b7280;font-size:12px;margin-top:24px}
@media print{
  body{background:#fff;font-size:11px}
  main{max-width:none;padding:0}
  section.fleet-summary,section.cluster{box-shadow:none;border:none;border-top:1px solid #d1d5db;border-radius:0;padding:10px 0}
  section.cluster{break-before:page}
  figure.chart,table,.cards{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

/** The whole report page. */
export function renderReportHtml(report: HealthReport): string {
  const title = `QWK cluster health report · ${report.period.from.slice(0, 16).replace('T', ' ')} → ${report.period.to.slice(0, 16).replace('T', ' ')} UTC`;
  const sections = report.clusters.map((c, k) => clusterSection(c, k)).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>Cluster health report</h1><p>LifeKeeper clusters with the Quorum/Witness Kit · ${esc(formatTime(report.period.from))} → ${esc(formatTime(report.period.to))} · generated ${esc(formatTime(report.generatedAt))} · report ${esc(report.id)}</p></header>
<section class="fleet-summary"><h2>Fleet, ranked by risk</h2>${report.fleet.length ? fleetTable(report.fleet) : '<p>No cluster is registered.</p>'}</section>
${sections}
<footer>Availability counts whole minutes from registration on: one node answering the load balancer's probe is up; none is an outage; both is split brain; maintenance minutes are left out. How each figure is computed: docs/MONITORING.md (Health reports).</footer>
</main>
</body>
</html>
`;
}
