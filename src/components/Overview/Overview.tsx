import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { LinkButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { DATASOURCE_TYPE, PANEL_ID } from '../../constants';

/** The three layers of the score, as the user meets them. */
const LAYERS = [
  {
    title: 'Signals → one score',
    text: 'Drift from histogram buckets, prediction shift, latency spikes, calibration gaps, labelling delays, error ratios from Loki and seasonal deviations combine into one bounded 0–100 score with exact per-signal contributions.',
  },
  {
    title: 'Tiers → playbook',
    text: 'ok, watch, review and critical, with hysteresis and a minimum duration so tiers do not flap; each tier maps to an action: observe, retrain, human review, contain.',
  },
  {
    title: 'Business context',
    text: 'Customer impact, regulation, revenue, model age and maintenance windows raise, floor or suppress the tier, and every effect shows in the explanation.',
  },
];

export function Overview() {
  const styles = useStyles2(getStyles);
  return (
    <PluginPage>
      <div data-testid="anomalyscore-overview" className={styles.page}>
        <Text element="p" color="secondary">
          Anomaly Score reads the Prometheus and Loki data you already have, scores the health of each model, version
          and endpoint, ranks the ones that most need a human, and explains every score.
        </Text>
        <div className={styles.grid}>
          {LAYERS.map((layer) => (
            <section key={layer.title} className={styles.card} aria-label={layer.title}>
              <Text element="h3">{layer.title}</Text>
              <Text element="p">{layer.text}</Text>
            </section>
          ))}
        </div>
        <Stack gap={2} wrap="wrap">
          <LinkButton icon="plus" href={`/connections/datasources/new?type=${DATASOURCE_TYPE}`}>
            Add an Anomaly Score data source
          </LinkButton>
          <LinkButton variant="secondary" icon="apps" href={`/dashboard/new?panelType=${PANEL_ID}`}>
            New dashboard with the triage panel
          </LinkButton>
        </Stack>
        <Text element="p" color="secondary">
          Alerting runs on compiled Prometheus, Mimir and Loki rules; see the{' '}
          <TextLink href="/alerting/list">alert rules</TextLink> once you have exported them.
        </Text>
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3), maxWidth: 1100 }),
  grid: css({
    display: 'grid',
    gap: theme.spacing(2),
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
  }),
  card: css({
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
});
