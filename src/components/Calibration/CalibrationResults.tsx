import React from 'react';
import { Alert, Stack, Text, useStyles2 } from '@grafana/ui';
import { tierFigures, type TierReport } from '../../scoring/evaluate/backtest';
import { describeObjective, type CalibrationResult } from '../../scoring/evaluate/calibrate';
import type { ScoreSpec } from '../../scoring/spec';
import { iso, num, pct } from '../shared/format';
import { getSharedStyles } from '../shared/styles';

interface Props {
  result: CalibrationResult;
  spec: ScoreSpec;
}

/**
 * The proposal next to the current spec (every weight and cut, changed ones marked), the figures
 * before and after on the fit and the HELD-OUT part, and the calibrator's own statement, verbatim:
 * the page never claims more than the calibrator measured.
 */
export function CalibrationResults({ result, spec }: Props) {
  const styles = useStyles2(getSharedStyles);
  const rows: Array<{ what: string; current: string; proposed: string; changed: boolean }> = [
    ...spec.signals.map((s) => {
      const from = result.original.weights[s.id];
      const to = result.proposal.weights[s.id];
      return {
        what: `weight of ${s.id}`,
        current: num(from, 2),
        proposed: to > 0 ? num(to, 2) : 'removed (weight 0)',
        changed: from !== to,
      };
    }),
    ...(['watch', 'review', 'critical'] as const).map((t) => ({
      what: `${t} cut`,
      current: num(result.original.cuts[t], 1),
      proposed: num(result.proposal.cuts[t], 1),
      changed: result.original.cuts[t] !== result.proposal.cuts[t],
    })),
  ];
  return (
    <Stack direction="column" gap={2}>
      <Alert
        severity={result.improved ? 'success' : 'info'}
        title={result.improved ? 'Improved on the held-out part' : 'No measured improvement'}
        data-testid="calibration-statement"
      >
        {result.statement}
      </Alert>
      <Text element="p" color="secondary">
        {`Objective: ${describeObjective(result.objective)}, alert tier ≥ ${result.alertTier}. Fit on ${iso(result.range.from)} – ${iso(result.range.split)}, held out ${iso(result.range.split)} – ${iso(result.range.to)}; ${result.evaluations} candidates in ${result.elapsedMs} ms.`}
      </Text>
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid="calibration-diff">
          <caption>Current spec and proposal</caption>
          <thead>
            <tr>
              <th scope="col">setting</th>
              <th scope="col" className="num">current</th>
              <th scope="col" className="num">proposed</th>
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
              <th scope="col" className="num">alerts</th>
              <th scope="col" className="num">precision</th>
              <th scope="col" className="num">recall</th>
              <th scope="col" className="num">median TTD (steps)</th>
              <th scope="col" className="num">false alarms</th>
              <th scope="col" className="num">NAB</th>
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

function FigureRow({ label, r }: { label: string; r: TierReport }) {
  const f = tierFigures(r);
  return (
    <tr data-testid={`figures-${label.replace(/[^a-z]+/g, '-')}`}>
      <th scope="row">{label}</th>
      <td className="num">{f.alerts}</td>
      <td className="num">{pct(f.precision)}</td>
      <td className="num">{pct(f.recall)}</td>
      <td className="num">{num(f.median_ttd_steps)}</td>
      <td className="num">{f.false_alarms}</td>
      <td className="num">{num(f.nab)}</td>
    </tr>
  );
}
