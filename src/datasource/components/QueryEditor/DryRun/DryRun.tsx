import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Subscription } from 'rxjs';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2, TimeRange } from '@grafana/data';
import { Alert, Button, RadioButtonGroup, Spinner, Stack, useStyles2 } from '@grafana/ui';
import { effectiveSpec } from '../../../pipeline/score';
import { effectiveInput } from '../../../querySpec';
import type { AnomalyQuery } from '../../../types';
import { getItemStyles } from '../../shared/styles';
import { dryRunWindow, planDryRun, runDryRun, type DryRunDataSource, type DryRunPlan, type DryRunRangeMode } from './dryRunQuery';
import type { DryRunStats } from './dryRunStats';
import { DryRunTable } from './DryRunTable';

/** Re-run this long after the last edit: long enough to finish typing, short enough to feel live. */
export const DRY_RUN_DEBOUNCE_MS = 1500;

export interface DryRunProps {
  query: AnomalyQuery;
  datasource?: DryRunDataSource;
  /** The dashboard's time range (QueryEditorProps.range); the "dashboard range" choice needs it. */
  range?: TimeRange;
  idPrefix: string;
  /** Clock and debounce are injectable for tests. */
  now?: () => number;
  debounceMs?: number;
}

interface DryRunResult {
  /** runKeyOf the query it ran: the figures are stale once the query's key differs. */
  key: string;
  stats: DryRunStats;
  plan: DryRunPlan;
  mode: DryRunRangeMode;
  method: string;
}

interface DryRunState {
  running?: { plan: DryRunPlan; mode: DryRunRangeMode; signals: number };
  result?: DryRunResult;
  /** The whole request failed (each signal's own failures are in the result). */
  failure?: string;
  /** Why no run could start (invalid spec, no data source). */
  blocked?: string;
  /** The query changed since the figures shown; a re-run is scheduled. */
  pending: boolean;
}

const RANGE_OPTIONS: Array<{ label: string; value: DryRunRangeMode; description: string }> = [
  { label: 'Last 7 days', value: 'last7d', description: 'the 7 days up to now' },
  { label: 'Dashboard range', value: 'dashboard', description: "the dashboard's time range" },
];

function errorText(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  if (typeof e === 'object' && e !== null) {
    const o = e as { message?: unknown; data?: { message?: unknown } };
    const m = o.data?.message ?? o.message;
    if (typeof m === 'string' && m) {
      return m;
    }
  }
  return String(e);
}

function stepText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** "the last 7 days at 63 s steps" or "2026-01-12 09:00:00 to 2026-01-12 12:00:00 at 1 min steps". */
function coverageText(plan: DryRunPlan, mode: DryRunRangeMode): string {
  const span =
    mode === 'last7d'
      ? 'the last 7 days'
      : `${dateTimeFormat(plan.window.fromMs)} to ${dateTimeFormat(plan.window.toMs)}`;
  return `${span} at ${stepText(plan.stepMs)} steps`;
}

function coarsenedText(plan: DryRunPlan): string | undefined {
  return plan.coarsened
    ? `The step is coarser than the spec's ${stepText(plan.specStepMs)} so the range stays within Prometheus' 11,000 points per series.`
    : undefined;
}

/**
 * Identity of what a dry run depends on: the spec as the pipeline runs it, the history, and the
 * range choice. A relative dashboard range ("now-6h") is identified by its text, so the passing of
 * time alone does not trigger re-runs.
 */
function runKeyOf(query: AnomalyQuery, settings: DryRunDataSource['options'], mode: DryRunRangeMode, range?: TimeRange): string {
  const rangeKey =
    mode === 'dashboard' && range
      ? [range.raw.from, range.raw.to].map((r) => (typeof r === 'string' ? r : r.valueOf()))
      : null;
  return JSON.stringify([effectiveInput(query.spec, query.refId, settings), query.history ?? null, mode, rangeKey]);
}

/**
 * "Dry run" section of the query editor: runs the spec being edited through this data source's own
 * query pipeline over real upstream data and shows, per signal, how often it alone would reach watch
 * and review, so a noisy signal is seen before the query is saved. After the first explicit run it
 * re-runs on every edit (debounced), cancelling the request in flight.
 */
export function DryRun({ query, datasource, range, idPrefix, now = Date.now, debounceMs = DRY_RUN_DEBOUNCE_MS }: DryRunProps) {
  const styles = useStyles2(getStyles);
  const itemStyles = useStyles2(getItemStyles);
  const [mode, setMode] = useState<DryRunRangeMode>('last7d');
  const [armed, setArmed] = useState(false);
  const [state, setState] = useState<DryRunState>({ pending: false });
  const subscription = useRef<Subscription | undefined>(undefined);
  /** Key of the run on screen or in flight; undefined once an edit made it obsolete. */
  const runKey = useRef<string | undefined>(undefined);
  const runCount = useRef(0);
  const rerunTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const settings = datasource?.options;
  const prepared = useMemo(() => effectiveSpec(query, settings ?? {}), [query, settings]);
  const key = runKeyOf(query, settings, mode, range);

  const cancel = useCallback(() => {
    clearTimeout(rerunTimer.current);
    rerunTimer.current = undefined;
    subscription.current?.unsubscribe();
    subscription.current = undefined;
  }, []);

  const start = useCallback(
    (runMode: DryRunRangeMode) => {
      cancel();
      const thisKey = runKeyOf(query, settings, runMode, range);
      runKey.current = thisKey;
      const spec = prepared.spec;
      if (!datasource || !spec) {
        const blocked = datasource ? `Fix the query first: ${prepared.error ?? 'invalid spec'}` : 'No data source to run on.';
        setState((s) => ({ ...s, running: undefined, pending: false, failure: undefined, blocked }));
        return;
      }
      const nowMs = now();
      const plan = planDryRun(
        query,
        spec,
        dryRunWindow(runMode, nowMs, range),
        `anomalyscore-dry-run-${query.refId}-${++runCount.current}`,
        nowMs
      );
      setState((s) => ({
        ...s,
        running: { plan, mode: runMode, signals: spec.signals.length },
        pending: false,
        failure: undefined,
        blocked: undefined,
      }));
      const method = spec.composite.method;
      subscription.current = runDryRun(datasource, plan, spec).subscribe({
        next: (stats) => setState((s) => ({ ...s, result: { key: thisKey, stats, plan, mode: runMode, method } })),
        error: (e: unknown) => setState((s) => ({ ...s, running: undefined, failure: errorText(e) })),
        complete: () => setState((s) => ({ ...s, running: undefined })),
      });
    },
    [cancel, query, settings, range, prepared, datasource, now]
  );

  // The debounced re-run below must call the latest `start` (with the latest query), not the one of
  // the render that scheduled it.
  const latestStart = useRef(start);
  useEffect(() => {
    latestStart.current = start;
  }, [start]);

  useEffect(() => {
    if (!armed || key === runKey.current) {
      return;
    }
    // The figures on screen (or in flight) are for an earlier spec: stop that request now and run
    // again once the edits pause.
    cancel();
    runKey.current = undefined;
    setState((s) => ({ ...s, running: undefined, pending: true }));
    const timer = setTimeout(() => latestStart.current(mode), debounceMs);
    rerunTimer.current = timer;
    return () => clearTimeout(timer);
  }, [armed, key, mode, debounceMs, cancel]);

  useEffect(() => cancel, [cancel]);

  const runNow = () => {
    setArmed(true);
    start(mode);
  };
  const changeMode = (next: DryRunRangeMode) => {
    setMode(next);
    if (armed) {
      start(next); // a deliberate choice: no need to wait for the debounce
    }
  };
  const stop = () => {
    cancel();
    setState((s) => ({ ...s, running: undefined }));
  };

  const { running, result, failure, blocked, pending } = state;
  const headingId = `${idPrefix}-dry-run-heading`;
  return (
    <section className={itemStyles.item} aria-labelledby={headingId}>
      <div className={itemStyles.header}>
        <h3 id={headingId} className={itemStyles.title}>
          Dry run
        </h3>
      </div>
      <p className={styles.intro}>
        How often each signal on its own would put the score at watch or review on real data, scored by this data
        source exactly as the panel scores it. Run it before saving to catch a noisy signal; after the first run it
        re-runs as you edit.
      </p>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <RadioButtonGroup<DryRunRangeMode>
          id={`${idPrefix}-dry-run-range`}
          aria-label="Dry-run range"
          options={RANGE_OPTIONS}
          value={mode}
          disabledOptions={range ? [] : ['dashboard']}
          onChange={changeMode}
        />
        <Button icon="play" variant="secondary" onClick={runNow} disabled={!datasource}>
          Run dry run
        </Button>
        {running ? (
          <Button icon="times" variant="secondary" fill="text" onClick={stop}>
            Cancel dry run
          </Button>
        ) : null}
      </Stack>
      <div role="status" aria-live="polite" aria-label="Dry-run progress" className={styles.status}>
        {running ? (
          <span>
            <Spinner inline className={styles.spinner} />
            Running the dry run: querying {running.signals} signal{running.signals === 1 ? '' : 's'} over{' '}
            {coverageText(running.plan, running.mode)} and scoring every entity…{' '}
            {coarsenedText(running.plan) ?? ''}
          </span>
        ) : pending ? (
          <span>The query changed: the dry run runs again when you pause editing.</span>
        ) : null}
      </div>
      {blocked ? (
        <Alert severity="info" title="The dry run cannot start">
          {blocked}
        </Alert>
      ) : null}
      {failure ? (
        <Alert severity="error" title="The dry run failed">
          {failure}
        </Alert>
      ) : null}
      {result && result.stats.errors.length > 0 ? (
        <Alert severity="warning" title="The dry run reported problems">
          <ul className={styles.list}>
            {result.stats.errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {result ? (
        <DryRunTable
          stats={result.stats}
          coverage={coverageText(result.plan, result.mode)}
          method={result.method}
          idPrefix={idPrefix}
          stale={Boolean(running) || pending || result.key !== key}
        />
      ) : null}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  intro: css({
    margin: theme.spacing(0, 0, 1),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  status: css({
    margin: theme.spacing(1, 0),
    color: theme.colors.text.secondary,
    '&:empty': { margin: 0 },
  }),
  spinner: css({
    marginRight: theme.spacing(1),
  }),
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
});
