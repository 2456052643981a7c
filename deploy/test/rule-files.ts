// The PromQL that deploy/ ships: the alert rules and every query of the Grafana dashboard.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './vipd-cli.js';

export const PROMETHEUS_DIR = join(DEPLOY_DIR, 'prometheus');
export const DASHBOARD_PATH = join(DEPLOY_DIR, 'grafana', 'vipd-dashboard.json');

export interface AlertRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function ruleFileRules(): AlertRule[] {
  const file = parse(readFileSync(join(PROMETHEUS_DIR, 'vipd.rules.yml'), 'utf8')) as {
    groups: { rules: AlertRule[] }[];
  };
  return file.groups.flatMap((group) => group.rules);
}

export function alertRules(): AlertRule[] {
  return ruleFileRules().filter((rule) => rule.alert !== undefined);
}

/** Where a query sits in the dashboard (for messages) and its text. */
export interface DashboardQuery {
  readonly where: string;
  readonly kind: 'promql' | 'label_values';
  readonly text: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

interface Dashboard {
  panels: Panel[];
  templating?: { list: { name: string; type: string; query?: string | { query?: string } }[] };
  annotations?: { list: { name: string; expr?: string }[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

export function dashboardQueries(dashboard: Dashboard = loadDashboard()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panel: Panel) => {
    for (const target of panel.targets ?? []) {
      if (target.expr !== undefined)
        queries.push({
          where: `panel "${panel.title ?? '?'}" ${target.refId ?? ''}`,
          kind: 'promql',
          text: target.expr,
        });
    }
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels) visit(panel);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (text !== undefined)
      queries.push({ where: `variable $${variable.name}`, kind: 'label_values', text });
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr !== undefined)
      queries.push({
        where: `annotation "${annotation.name}"`,
        kind: 'promql',
        text: annotation.expr,
      });
  }
  return queries;
}
