import React, { useMemo, useState } from 'react';
import { Combobox, Field, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import type { SignalInfo } from '../../scoring/evaluate/attribution';
import type { BacktestReport, TierReport } from '../../scoring/evaluate/backtest';
import type { CachedEntity } from '../../scoring/evaluate/calibrate';
import type { GroundTruth } from '../../scoring/evaluate/groundTruth';
import { dayAttributionText, scoreHealth } from '../../scoring/evaluate/scoreHealth';
import { segmentCheck } from '../../scoring/evaluate/segments';
import type { Tier } from '../../scoring/types';
import { iso, labelText, num, pct } from '../shared/format';
import { getSharedStyles } from '../shared/styles';
import { AttributionTable } from './AttributionTable';

type AlertTier = Exclude<Tier, 'ok'>;

interface Props {
  report: BacktestReport;
  entities: CachedEntity[];
  truth: GroundTruth;
  alertTier: AlertTier;
  /** The spec's signals (names in the score health attribution). */
  signals?: readonly SignalInfo[];
}

/**
 * Per-tier figures, missed incidents and worst false alarms of one tier, its alert time by signal,
 * score health, segments.
 */
export function BacktestResults({ report, entities, truth, alertTier, signals }: Props) {
  const styles = useStyles2(getSharedStyles);
  const [detailTier, setDetailTier] = useState<AlertTier>(alertTier);
  const detail = report.tiers.find((r) => r.tier === detailTier) ?? report.tiers[0];
  return (
    <Stack direction="column" gap={3}>
      <section className={styles.section} aria-label="Backtest per tier">
        <Text element="h3">Backtest per alert tier</Text>
        <Text element="p" color="secondary">
          {`${iso(report.from)} to ${iso(report.to)} (${num(report.days, 1)} days, step ${report.stepMs / 1000}s, grace ${report.graceMs / 60_000} min): ${report.entities} entities, ${report.incidents} incidents, ${report.false_alarm_labels} false-alarm labels.`}
        </Text>
        <TierTable tiers={report.tiers} />
        {report.unmatched.length > 0 && (
          <Text element="p" color="warning">
            {`Incidents matching no scored entity (counted as missed): ${report.unmatched.join(', ')}`}
          </Text>
        )}
      </section>
      {detail && (
        <section className={styles.section} aria-label="Missed incidents and false alarms">
          <Stack justifyContent="space-between" alignItems="center" wrap="wrap">
            <Text element="h3">{`Missed incidents and worst false alarms (≥ ${detail.tier})`}</Text>
            <RadioButtonGroup
              size="sm"
              aria-label="Tier for the details"
              options={report.tiers.map((r) => ({ value: r.tier as AlertTier, label: `≥ ${r.tier}` }))}
              value={detail.tier as AlertTier}
              onChange={setDetailTier}
            />
          </Stack>
          <MissedTable tier={detail} />
          <FalseAlarmTable tier={detail} />
        </section>
      )}
      {detail && <AttributionTable tier={detail} />}
      <ScoreHealthSection entities={entities} alertTier={alertTier} signals={signals} />
      <SegmentSection entities={entities} truth={truth} alertTier={alertTier} range={report} />
    </Stack>
  );
}

export function TierTable({ tiers, caption }: { tiers: TierReport[]; caption?: string }) {
  const styles = useStyles2(getSharedStyles);
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="backtest-tiers">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            <th scope="col">alert tier</th>
            <th scope="col" className="num">alerts</th>
            <th scope="col" className="num">precision</th>
            <th scope="col" className="num">recall</th>
            <th scope="col" className="num">F1</th>
            <th scope="col" className="num">median TTD (steps)</th>
            <th scope="col" className="num">p90 TTD</th>
            <th scope="col" className="num">alerts / day</th>
            <th scope="col" className="num">dismissed</th>
            <th scope="col" className="num">benign escalations</th>
            <th scope="col" className="num">NAB</th>
          </tr>
        </thead>
        <tbody>
          {tiers.map((r) => (
            <tr key={r.tier} data-testid={`tier-row-${r.tier}`}>
              <th scope="row">{`≥ ${r.tier}`}</th>
              <td className="num">{r.alerts}</td>
              <td className="num">{pct(r.precision)}</td>
              <td className="num">{`${pct(r.recall)} (${r.detected}/${r.incidents})`}</td>
              <td className="num">{num(r.f1, 3)}</td>
              <td className="num">{num(r.ttd_steps.median)}</td>
              <td className="num">{num(r.ttd_steps.p90)}</td>
              <td className="num">{num(r.alerts_per_day, 2)}</td>
              <td className="num">{pct(r.dismissed_share)}</td>
              <td className="num">{r.benign_escalations}</td>
              <td className="num">{num(r.nab.score)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MissedTable({ tier }: { tier: TierReport }) {
  const styles = useStyles2(getSharedStyles);
  if (tier.missed.length === 0) {
    return <Text element="p">{`Missed incidents: none (${tier.incidents} incidents in range).`}</Text>;
  }
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="missed-incidents">
        <caption>{`Missed incidents (${tier.missed.length})`}</caption>
        <thead>
          <tr>
            <th scope="col">incident</th>
            <th scope="col">kind</th>
            <th scope="col">entity</th>
            <th scope="col">time range</th>
          </tr>
        </thead>
        <tbody>
          {tier.missed.map((m) => (
            <tr key={m.id}>
              <td>{m.id}</td>
              <td>{m.kind}</td>
              <td>{labelText(m.entity)}</td>
              <td>
                <a className={styles.link} href={m.link}>{`${iso(m.start)} – ${iso(m.end)}`}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FalseAlarmTable({ tier }: { tier: TierReport }) {
  const styles = useStyles2(getSharedStyles);
  const rows = [...tier.longest_false_alarms, ...tier.highest_false_alarms.filter((a) => !tier.longest_false_alarms.includes(a))];
  if (rows.length === 0) {
    return <Text element="p">False alarms: none.</Text>;
  }
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="false-alarms">
        <caption>{`Worst false alarms (of ${tier.false_alarms}): longest, then highest peaks`}</caption>
        <thead>
          <tr>
            <th scope="col">entity</th>
            <th scope="col">time range</th>
            <th scope="col" className="num">steps</th>
            <th scope="col" className="num">peak</th>
            <th scope="col">notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={`${a.entity}-${a.start}`}>
              <td>{a.entity}</td>
              <td>
                <a className={styles.link} href={a.link}>{`${iso(a.start)} – ${iso(a.end)}`}</a>
              </td>
              <td className="num">{a.durationSteps}</td>
              <td className="num">{num(a.peak)}</td>
              <td>{[a.benign ? 'benign event' : '', a.dismissed ? 'dismissed by feedback' : ''].filter(Boolean).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScoreHealthSection({
  entities,
  alertTier,
  signals,
}: {
  entities: CachedEntity[];
  alertTier: AlertTier;
  signals?: readonly SignalInfo[];
}) {
  const styles = useStyles2(getSharedStyles);
  const health = useMemo(() => scoreHealth(entities, { alertTier, signals }), [entities, alertTier, signals]);
  return (
    <section className={styles.section} aria-label="Score health">
      <Text element="h3">Score health</Text>
      <Text element="p" color="secondary">
        {health.drifted.length === 0
          ? `No day flagged (${health.days.length} days; a day needs 3 earlier days before it can be judged).`
          : `${health.drifted.length} of ${health.days.length} days flagged: the score itself drifted on those days.`}
      </Text>
      <Text element="p" color="secondary">
        {`Alert time by signal counts every minute at ≥ ${health.alertTier}: score health has no incident labels, so true and false alerts are not told apart.` +
          (health.concentrated.length
            ? ` On ${health.concentrated.length} day${health.concentrated.length === 1 ? '' : 's'} one signal carried most of it.`
            : '')}
      </Text>
      {health.days.length > 0 && (
        <div className={styles.tableWrap}>
          <table className={styles.table} data-testid="score-health">
            <thead>
              <tr>
                <th scope="col">day</th>
                <th scope="col" className="num">alerts</th>
                <th scope="col" className="num">alerting share</th>
                <th scope="col" className="num">p50</th>
                <th scope="col" className="num">p90</th>
                <th scope="col" className="num">p99</th>
                <th scope="col" className="num">PSI</th>
                <th scope="col">flags</th>
                <th scope="col">alert time by signal</th>
              </tr>
            </thead>
            <tbody>
              {health.days.map((d) => (
                <tr key={d.day}>
                  <td>{d.date}</td>
                  <td className="num">{d.alerts}</td>
                  <td className="num">{pct(d.alertingShare)}</td>
                  <td className="num">{num(d.p50)}</td>
                  <td className="num">{num(d.p90)}</td>
                  <td className="num">{num(d.p99)}</td>
                  <td className="num">{num(d.psi, 3)}</td>
                  <td className={d.drifted ? styles.worse : undefined}>
                    {d.flags.join('; ') || (d.baseline ? 'ok' : 'no baseline yet')}
                  </td>
                  <td className={d.dominant ? styles.worse : undefined}>
                    {dayAttributionText(d) + (d.dominant ? ` (${d.dominant.name} carries most of it)` : '')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SegmentSection({
  entities,
  truth,
  alertTier,
  range,
}: {
  entities: CachedEntity[];
  truth: GroundTruth;
  alertTier: AlertTier;
  range: { from: number; to: number };
}) {
  const styles = useStyles2(getSharedStyles);
  const labelNames = useMemo(() => [...new Set(entities.flatMap((e) => Object.keys(e.labels)))].sort(), [entities]);
  const [label, setLabel] = useState<string | undefined>(labelNames[0]);
  const chosen = label && labelNames.includes(label) ? label : labelNames[0];
  const seg = useMemo(
    () =>
      chosen
        ? segmentCheck(entities, truth, chosen, { alertTier, backtest: { from: range.from, to: range.to } })
        : undefined,
    [entities, truth, chosen, alertTier, range.from, range.to]
  );
  return (
    <section className={styles.section} aria-label="Segment check">
      <Text element="h3">Segment check</Text>
      {!seg ? (
        <Text element="p">The entities carry no labels to split by.</Text>
      ) : (
        <>
          <Field label="Split by label">
            <Combobox
              aria-label="Split by label"
              width={30}
              options={labelNames.map((l) => ({ value: l, label: l }))}
              value={chosen}
              onChange={(o: { value: string } | null) => setLabel(o?.value)}
            />
          </Field>
          <Text element="p" color="secondary">
            {seg.flagged.length === 0
              ? `No value of ${seg.label} is flagged disproportionately (${seg.totalAlerts} alerts, ${seg.totalIncidents} incidents at ≥ ${seg.alertTier}).`
              : `Flagged disproportionately: ${seg.flagged.map((s) => s.value || '(none)').join(', ')}.`}
          </Text>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="segments">
              <thead>
                <tr>
                  <th scope="col">{seg.label}</th>
                  <th scope="col" className="num">entities</th>
                  <th scope="col" className="num">alerts</th>
                  <th scope="col" className="num">false alarms</th>
                  <th scope="col" className="num">incidents</th>
                  <th scope="col" className="num">flag share</th>
                  <th scope="col" className="num">incident share</th>
                  <th scope="col" className="num">ratio</th>
                  <th scope="col" className="num">z</th>
                  <th scope="col">verdict</th>
                </tr>
              </thead>
              <tbody>
                {seg.segments.map((s) => (
                  <tr key={s.value}>
                    <td>{s.value || '(none)'}</td>
                    <td className="num">{s.entities}</td>
                    <td className="num">{s.alerts}</td>
                    <td className="num">{s.falseAlarms}</td>
                    <td className="num">{s.incidents}</td>
                    <td className="num">{pct(s.flagShare)}</td>
                    <td className="num">{pct(s.incidentShare)}</td>
                    <td className="num">{num(s.ratio, 2)}</td>
                    <td className="num">{num(s.z, 2)}</td>
                    <td className={s.disproportionate ? styles.worse : undefined}>
                      {s.disproportionate ? 'flagged disproportionately' : 'ok'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
