/**
 * Microsoft Teams messages for incident transitions (Monitoring 4/5): an Adaptive Card in the Workflows envelope.
 * Pure.
 *
 * Teams Workflows ("Post to a channel when a webhook request is received") refuses the old connector `{"text"}`
 * body: it takes a message activity whose attachment is an Adaptive Card:
 *   {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
 *     "content": <card>}]}
 * Teams renders Adaptive Cards up to schema 1.5; the card declares 1.4 and uses only 1.0–1.2 elements (Container
 * styles, FactSet, Action.OpenUrl), so every Teams client renders it. Colour comes from the Container style
 * (attention / warning / good) and the title's TextBlock color.
 */
import type { Evidence, IncidentTransition, Severity } from '../monitoring/contracts';
import { incidentSummary, truncate } from './summary';

export const ADAPTIVE_CARD_VERSION = '1.4';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Evidence facts shown on a card (the newest first). */
export const TEAMS_MAX_EVIDENCE_FACTS = 10;

type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';

const STYLE: Record<Severity, { container: ContainerStyle; color: TextColor; label: string }> = {
  critical: { container: 'attention', color: 'Attention', label: 'CRITICAL' },
  error: { container: 'attention', color: 'Attention', label: 'ERROR' },
  warning: { container: 'warning', color: 'Warning', label: 'WARNING' },
  info: { container: 'emphasis', color: 'Accent', label: 'INFO' },
};
const RESOLVED_STYLE = { container: 'good' as ContainerStyle, color: 'Good' as TextColor, label: 'RESOLVED' };

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
  msteams?: { width: 'Full' };
}

export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }];
}

export interface TeamsOptions {
  reminder?: boolean;
}

function fact(title: string, value: string): { title: string; value: string } {
  return { title, value: truncate(value, 500) };
}

function evidenceFacts(evidence: readonly Evidence[]): { title: string; value: string }[] {
  const sorted = [...evidence].sort((a, b) => b.observedAt.localeCompare(a.observedAt));
  const shown = sorted.slice(0, TEAMS_MAX_EVIDENCE_FACTS).map((e) => fact(`${e.source} · ${e.observedAt}`, e.text));
  const more = sorted.length - shown.length;
  return more > 0 ? [...shown, fact('…', `${more} more (see the cluster status)`)] : shown;
}

/** The Adaptive Card for one transition: coloured by severity (green when resolved), evidence as facts. */
export function teamsCard(t: IncidentTransition, opts: TeamsOptions = {}): AdaptiveCard {
  const i = t.incident;
  const style = t.kind === 'resolved' ? RESOLVED_STYLE : STYLE[i.severity];
  const severityText =
    t.previousSeverity && t.previousSeverity !== i.severity ? `${i.severity} (was ${t.previousSeverity})` : i.severity;
  const facts = [
    fact('Cluster', `${t.cluster.resourceGroup} (subscription ${t.cluster.subscriptionId})`),
    fact('Condition', `${i.kind}${i.node ? ` · ${i.node}` : ''}`),
    fact('Severity', severityText),
    fact('Cluster state', t.cluster.state),
    ...(t.cluster.activeNode ? [fact('Active node', t.cluster.activeNode)] : []),
    ...(i.from || i.to ? [fact('Failover', `${i.from ?? '?'} → ${i.to ?? '?'}`)] : []),
    fact('Opened', i.openedAt),
    ...(t.kind === 'resolved' ? [fact('Resolved', i.resolvedAt ?? t.at)] : []),
    fact('Incident', i.key),
  ];
  const evidence = t.kind === 'resolved' ? [] : evidenceFacts(i.lastEvidence);
  const body: Record<string, unknown>[] = [
    {
      type: 'Container',
      style: style.container,
      bleed: true,
      items: [
        {
          type: 'TextBlock',
          text: `${style.label}${opts.reminder ? ' · reminder' : ''}`,
          weight: 'Bolder',
          size: 'Small',
          color: style.color,
          wrap: true,
        },
        {
          type: 'TextBlock',
          text: incidentSummary(t, 400, { reminder: opts.reminder }),
          weight: 'Bolder',
          size: 'Medium',
          wrap: true,
        },
      ],
    },
    { type: 'FactSet', facts },
  ];
  if (evidence.length) {
    body.push(
      { type: 'TextBlock', text: 'Evidence', weight: 'Bolder', spacing: 'Medium', wrap: true },
      { type: 'FactSet', facts: evidence },
    );
  }
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    body,
    msteams: { width: 'Full' },
  };
  if (t.cluster.link) card.actions = [{ type: 'Action.OpenUrl', title: 'Open cluster status', url: t.cluster.link }];
  return card;
}

/** The card in the Workflows envelope, ready to POST to the Workflows URL. */
export function teamsMessage(t: IncidentTransition, opts: TeamsOptions = {}): TeamsMessage {
  return wrapCard(teamsCard(t, opts));
}

export function wrapCard(card: AdaptiveCard): TeamsMessage {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}
