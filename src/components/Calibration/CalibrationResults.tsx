import React from 'react';
import { Alert, Stack, Text, useStyles2 } from '@grafana/ui';
import { tierFigures, type TierReport } from '../../scoring/evaluate/backtest';
import {
  describeObjective,
  knobValueText,
  recallFloorText,
  searchedText,
  type CalibrationResult,
  type LostIncident,
} from '../../scoring/evaluate/calibrate';
import type { ScoreSpec } from '../../scoring/spec';
import { iso, labelText, num, pct } from '../shared/format';
import { getSharedStyles } from '../shared/styles';

interface Props {
  result: CalibrationResult;
  spec: ScoreSpec;
}

const TITLES: Record<CalibrationResult['outcome'], string> = {
  improved: 'Improved on the held-out part',
  not_improved: 'No measured improvement',
  unchanged: 'No measured improvement',
  impossible: 'No change keeps the recall floor',
};

const minutesText = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 10) / 10} min` : '–');

/**
 * The calibrator's statement, verbatim (the page never claims more than it measured); the proposed
 * changes (sensitivity, weights, cuts) from → to and whether each was rescored exactly or estimated;
 * the recall floor and the median time to detect before and after; the candidate the floor refused,
 * with the incidents it would lose; every setting of the current spec next to the proposal; and the
 * figures before and after on the HELD-OUT and the fit part.
 */
export function CalibrationResults({ result, spec }: Props) {
  const styles = useStyles2(getSharedStyles);
  const knobs = new Map(result.knobs.map((k) => [k.signal, k]));
  const rows: Array<{ what: string; current: string; proposed: string; changed: boolean }> = [];
  for (const s of spec.signals) {
    const knob = knobs.get(s.id);
    const weight = result.proposal.weights[s.id];
    if (knob) {
      const to = result.proposal.sensitivity[s.id] ?? knob.current;
      rows.push({
        what: `${knob.param} of ${s.id}`,
        current: String(knobValueText(knob, knob.current)),
        proposed: weight > 0 ? String(knobValueText(knob, to)) : '–',
        changed: weight > 0 && to !== knob.current,
      });
    }
    const from = result.original.weights[s.id];
    rows.push({
      what: `weight of ${s.id}`,
      current: num(from, 2),
      proposed: weight > 0 ? num(weight, 2) : 'removed (weight 0)',
      changed: from !== weight,
    });
  }
  for (const t of ['watch', 'review', 'critical'] as const) {
    rows.push({
      what: `${t} cut`,
      current: num(result.original.cuts[t], 1),
      proposed: num(result.proposal.cuts[t], 1),
      changed: result.original.cuts[t] !== result.proposal.cuts[t],
    });
  }
  const { constraint, heldout } = result;
  const floorMet = constraint.heldout.recallOk && constraint.fit.recallOk;
  const ttdBound =
    constraint.maxTtdIncreaseMs !== undefined
      ? `at most +${minutesText(constraint.maxTtdIncreaseMs / 60_000)}`
      : 'no bound';
  return (
    <Stack direction="column" gap={2}>
      <Alert
        severity={result.outcome === 'improved' ? 'success' : result.outcome === 'impossible' ? 'warning' : 'info'}
        title={TITLES[result.outcome]}
        data-testid="calibration-statement"
      >
        {result.statement}
      </Alert>
      <Text element="p" color="secondary">
        {`Objective: ${describeObjective(result.objective)}, alert tier ≥ ${result.alertTier}. Fit on ${iso(result.range.from)} – ${iso(result.range.split)}, held out ${iso(result.range.split)} – ${iso(result.range.to)}; ${result.evaluations} candidates in ${result.elapsedMs} ms. Searched: ${searchedText(result)}.`}
      </Text>
      <ul className={styles.list} data-testid="calibration-constraint" aria-label="Recall floor and time to detect">
        <li>
          <Text>
            {`Recall floor: ${recallFloorText(constraint.recallFloor, constraint.heldout.floor)} on the held-out part ` +
              `(fit part ${pct(constraint.fit.floor)}); ${floorMet ? 'met' : 'not met'} by ${result.proposedSpec ? 'the proposal' : 'the current spec'}. ` +
              `Held-out recall ${pct(heldout.before.recall)} → ${pct(heldout.after.recall)}.`}
          </Text>
        </li>
        <li>
          <Text>
            {`Median time to detect (held-out): ${minutesText(heldout.before.ttd_minutes.median)} → ${minutesText(heldout.after.ttd_minutes.median)} (${ttdBound}).`}
          </Text>
        </li>
        <li>
          <Text>
            {constraint.allowRemovingSignals
              ? 'Removing signals: allowed (a weight may go to 0).'
              : 'Removing signals: not allowed (every signal keeps a positive weight).'}
          </Text>
        </li>
      </ul>
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="calibration-changes">
          <caption>
            {result.changes.length ? `Proposed changes (${result.changes.length})` : 'Proposed changes: none'}
          </caption>
          <thead>
            <tr>
              <th scope="col">setting</th>
              <th scope="col" className="num">
                current
              </th>
              <th scope="col" className="num">
                proposed
              </th>
              <th scope="col">figures</th>
            </tr>
          </thead>
          <tbody>
            {result.changes.map((c) => (
              <tr key={c.what} data-testid={`change-${c.what}`}>
                <th scope="row">{c.what}</th>
                <td className="num">{String(c.from)}</td>
                <td className={`num ${styles.better}`}>{String(c.to)}</td>
                <td>{c.estimate ? 'estimated (rarity moved on cached severities)' : 'exact'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.refused && (
        <Alert
          severity="warning"
          title="Refused: it would cost recall or time to detect"
          data-testid="calibration-refused"
        >
          <Stack direction="column" gap={1}>
            <Text element="p">
              {`${result.refused.changes.map((c) => `${c.what}: ${c.from} → ${c.to}`).join('; ')} would reach ` +
                `precision ${pct(result.refused.fit.precision)}, recall ${pct(result.refused.fit.recall)} on the fit part ` +
                `(held-out: precision ${pct(result.refused.heldout.precision)}, recall ${pct(result.refused.heldout.recall)}), but: ${result.refused.reasons.join('; ')}.`}
            </Text>
            {result.refused.lost.length > 0 && (
              <ul className={styles.list} aria-label="Incidents it would lose">
                {result.refused.lost.map((i) => (
                  <li key={`${i.part}-${i.id}`}>
                    <Text>{lostText(i)}</Text>
                  </li>
                ))}
              </ul>
            )}
          </Stack>
        </Alert>
      )}
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="calibration-diff">
          <caption>Current spec and proposal</caption>
          <thead>
            <tr>
              <th scope="col">setting</th>
              <th scope="col" className="num">
                current
              </th>
              <th scope="col" className="num">
                proposed
              </th>
              <th scope="col">changed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.what}>
                <th scope="row">{r.what}</th>
                <td className="num">{r.current}</td>
                <td className={`num ${r.changed ? styles.better : ''}`}>{r.proposed}</td>
                <td>{r.changed ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="calibration-before-after">
          <caption>{`Before and after at ≥ ${result.alertTier}; the held-out rows decide`}</caption>
          <thead>
            <tr>
              <th scope="col">part</th>
              <th scope="col" className="num">
                alerts
              </th>
              <th scope="col" className="num">
                precision
              </th>
              <th scope="col" className="num">
                recall
              </th>
              <th scope="col" className="num">
                median TTD (steps)
              </th>
              <th scope="col" className="num">
                median TTD
              </th>
              <th scope="col" className="num">
                false alarms
              </th>
              <th scope="col" className="num">
                NAB
              </th>
            </tr>
          </thead>
          <tbody>
            <FigureRow label="held-out, before" r={result.heldout.before} />
            <FigureRow label="held-out, after" r={result.heldout.after} />
            <FigureRow label="fit, before" r={result.fit.before} />
            <FigureRow label="fit, after" r={result.fit.after} />
          </tbody>
        </table>
      </div>
      {result.proposedSpecErrors.length > 0 && (
        <Alert severity="error" title="The proposed spec does not validate">
          {result.proposedSpecErrors.map((e) => `${e.path}: ${e.message}`).join('; ')}
        </Alert>
      )}
    </Stack>
  );
}

function lostText(i: LostIncident): string {
  const labels = labelText(i.entity);
  return `${i.id} (${i.kind}${labels ? `, ${labels}` : ''}), ${i.part} part`;
}

function FigureRow({ label, r }: { label: string; r: TierReport }) {
  const f = tierFigures(r);
  return (
    <tr data-testid={`figures-${label.replace(/[^a-z]+/g, '-')}`}>
      <th scope="row">{label}</th>
      <td className="num">{f.alerts}</td>
      <td className="num">{pct(f.precision)}</td>
      <td className="num">{pct(f.recall)}</td>
      <td className="num">{num(f.median_ttd_steps)}</td>
      <td className="num">{minutesText(r.ttd_minutes.median)}</td>
      <td className="num">{f.false_alarms}</td>
      <td className="num">{num(f.nab)}</td>
    </tr>
  );
}
