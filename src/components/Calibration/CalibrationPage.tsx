import React, { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { dateTime, type TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Checkbox,
  EmptyState,
  Field,
  Input,
  LoadingPlaceholder,
  RadioButtonGroup,
  Stack,
  Text,
  TimeRangeInput,
  useStyles2,
} from '@grafana/ui';
import { attributedBacktest } from '../../scoring/evaluate/attributionFixes';
import type { BacktestReport } from '../../scoring/evaluate/backtest';
import {
  applyProposal,
  cachedEntitiesFromFrames,
  calibrate,
  createVersionsFile,
  restoreVersion,
  type CachedEntity,
  type CalibrationResult,
  type Objective,
  type RecallFloor,
  type ScoreFrameLike,
} from '../../scoring/evaluate/calibrate';
import type { GroundTruth } from '../../scoring/evaluate/groundTruth';
import { parseDuration, stringifySpec, validateSpec, type ScoreSpec } from '../../scoring/spec';
import type { Tier } from '../../scoring/types';
import { fetchGroundTruth } from '../shared/groundTruth';
import { QueryCancelled, queryScoreFrames, useAppServices } from '../shared/services';
import { SpecEditor } from '../shared/SpecEditor';
import { parseSpecText } from '../shared/specText';
import { getSharedStyles } from '../shared/styles';
import { loadVersions, saveVersionsFile, type VersionsState } from '../shared/versionsStore';
import { BacktestResults } from './BacktestResults';
import { CalibrationResults } from './CalibrationResults';
import { VersionsPanel } from './VersionsPanel';

type AlertTier = Exclude<Tier, 'ok'>;

interface Props {
  /** Initial time range (default: the last 7 days). */
  defaultRange?: TimeRange;
  defaultSpecText?: string;
  defaultDatasourceUid?: string;
}

interface RunResult {
  spec: ScoreSpec;
  entities: CachedEntity[];
  truth: GroundTruth;
  report: BacktestReport;
  from: number;
  to: number;
  notes: string[];
}

function lastDays(days: number): TimeRange {
  const to = dateTime();
  const from = dateTime(to.valueOf() - days * 86_400_000);
  return { from, to, raw: { from: `now-${days}d`, to: 'now' } };
}

/** The effective spec the frames were scored with (data source defaults applied), else the pasted one. */
function effectiveSpecOf(frames: ScoreFrameLike[], fallback: ScoreSpec): ScoreSpec {
  for (const f of frames) {
    const s = f.meta?.custom?.spec;
    if (s) {
      const check = validateSpec(s);
      if (check.ok && check.spec) {
        return check.spec;
      }
    }
  }
  return fallback;
}

const errorText = (e: unknown) =>
  e instanceof Error
    ? e.message
    : typeof e === 'object' && e && 'data' in e
      ? JSON.stringify((e as { data: unknown }).data)
      : String(e);

export function CalibrationPage({ defaultRange, defaultSpecText = '', defaultDatasourceUid }: Props) {
  const styles = useStyles2(getSharedStyles);
  const services = useAppServices();
  const ids = { ds: useId(), minPrecision: useId(), dashboard: useId(), recallFloor: useId(), maxTtd: useId() };
  const [dsUid, setDsUid] = useState<string | undefined>(defaultDatasourceUid);
  const [specText, setSpecText] = useState(defaultSpecText);
  const [range, setRange] = useState<TimeRange>(defaultRange ?? lastDays(7));
  const [objectiveKind, setObjectiveKind] = useState<Objective['kind']>('recall_at_precision');
  const [minPrecision, setMinPrecision] = useState('0.9');
  const [alertTier, setAlertTier] = useState<AlertTier>('review');
  const [dashboardUID, setDashboardUID] = useState('anomalyscore');
  const [floorMode, setFloorMode] = useState<'no_loss' | 'absolute'>('no_loss');
  const [floorText, setFloorText] = useState('0.9');
  const [allowRemoving, setAllowRemoving] = useState(false);
  const [maxTtdText, setMaxTtdText] = useState('');

  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string>();
  const [run, setRun] = useState<RunResult>();
  const [calibrating, setCalibrating] = useState(false);
  const [calibration, setCalibration] = useState<CalibrationResult>();
  const [calibrationError, setCalibrationError] = useState<string>();

  const [versions, setVersions] = useState<VersionsState>();
  const [versionsError, setVersionsError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [saved, setSaved] = useState<string>();

  const abort = useRef<AbortController | undefined>(undefined);
  const parsed = useMemo(() => parseSpecText(specText), [specText]);

  useEffect(() => {
    let live = true;
    loadVersions(services)
      .then((v) => live && setVersions(v))
      .catch((e) => live && setVersionsError(errorText(e)));
    return () => {
      live = false;
      abort.current?.abort();
    };
  }, [services]);

  const mp = Number(minPrecision);
  const objectiveValid = objectiveKind === 'nab' || (Number.isFinite(mp) && mp > 0 && mp <= 1);
  const objective: Objective =
    objectiveKind === 'nab' ? { kind: 'nab' } : { kind: 'recall_at_precision', minPrecision: mp };
  const floorNumber = Number(floorText);
  const floorValid = floorMode === 'no_loss' || (floorText.trim() !== '' && floorNumber >= 0 && floorNumber <= 1);
  const recallFloor: RecallFloor = floorMode === 'no_loss' ? 'no_loss' : floorNumber;
  const maxTtdMs = maxTtdText.trim() === '' ? undefined : parseDuration(maxTtdText.trim());
  const maxTtdValid = maxTtdMs === undefined || maxTtdMs >= 0;
  const calibrationValid = objectiveValid && floorValid && maxTtdValid;
  const canRun = !!dsUid && parsed.ok && !running;

  const runBacktest = useCallback(async () => {
    if (!dsUid || !parsed.ok || !parsed.input || !parsed.spec) {
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setRunError(undefined);
    setRun(undefined);
    setCalibration(undefined);
    setCalibrationError(undefined);
    setSaved(undefined);
    const from = range.from.valueOf();
    const to = range.to.valueOf();
    try {
      const [gt, frames] = await Promise.all([
        fetchGroundTruth(services, from, to),
        queryScoreFrames(services, dsUid, parsed.input, range, controller.signal),
      ]);
      if (controller.signal.aborted) {
        throw new QueryCancelled();
      }
      const frameLikes = frames as unknown as ScoreFrameLike[];
      const spec = effectiveSpecOf(frameLikes, parsed.spec);
      // Alert time attributed to the signals (contrib:<id> fields), noisy signals' fixes measured on
      // the cached severities.
      const { report, entities } = attributedBacktest(
        spec,
        cachedEntitiesFromFrames(frameLikes),
        frameLikes,
        gt.truth,
        {
          from,
          to,
          links: { dashboardUID },
        }
      );
      const notes: string[] = [];
      if (gt.truncated) {
        notes.push('The annotation limit was reached: some incidents or feedback may be missing; narrow the range.');
      }
      for (const e of gt.truth.errors) {
        notes.push(`Annotation ${e.id} ignored: ${e.message}`);
      }
      if (entities.length > 0 && entities.every((e) => Object.keys(e.severities).length === 0)) {
        notes.push('The frames carry no per-signal severities: the backtest works, calibration cannot.');
      }
      setRun({ spec, entities, truth: gt.truth, report, from, to, notes });
    } catch (e) {
      setRunError(e instanceof QueryCancelled ? 'Backtest cancelled.' : errorText(e));
    } finally {
      if (abort.current === controller) {
        abort.current = undefined;
      }
      setRunning(false);
    }
  }, [dsUid, parsed, range, services, dashboardUID]);

  const runCalibration = () => {
    if (!run || !calibrationValid) {
      return;
    }
    setCalibrating(true);
    setCalibrationError(undefined);
    setSaved(undefined);
    // Let the loading state paint before the (synchronous) search.
    setTimeout(() => {
      try {
        setCalibration(
          calibrate(run.spec, run.entities, run.truth, {
            objective,
            alertTier,
            recallFloor,
            allowRemovingSignals: allowRemoving,
            ...(maxTtdMs !== undefined ? { maxTtdIncreaseMs: maxTtdMs } : {}),
            backtest: { from: run.from, to: run.to, links: { dashboardUID } },
          })
        );
      } catch (e) {
        setCalibrationError(errorText(e));
      } finally {
        setCalibrating(false);
      }
    }, 0);
  };

  const specId = calibration?.proposedSpec?.id ?? run?.spec.id ?? parsed.spec?.id;
  const file = specId ? versions?.files[specId] : undefined;

  const save = async (make: (state: VersionsState) => { next: ReturnType<typeof applyProposal>; message: string }) => {
    setSaving(true);
    setSaveError(undefined);
    setSaved(undefined);
    try {
      const state = versions ?? (await loadVersions(services));
      const { next, message } = make(state);
      const updated = await saveVersionsFile(services, state, next.file);
      setVersions(updated);
      setSpecText(stringifySpec(next.version.spec, 'yaml'));
      setSaved(message);
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const onApply = (reason: string) => {
    if (!calibration || !run) {
      return;
    }
    void save((state) => {
      const author = services.user();
      const at = new Date(services.now());
      const existing =
        state.files[run.spec.id] ??
        createVersionsFile(run.spec, { author, at, reason: 'the spec in use before the first applied calibration' });
      const next = applyProposal(existing, calibration, { author, at, reason });
      return {
        next,
        message: `Version ${next.version.version} of ${next.file.specId} stored; the spec editor now holds it.`,
      };
    });
  };

  const onRestore = (version: number, reason: string) => {
    if (!file) {
      return;
    }
    void save(() => {
      const next = restoreVersion(file, version, {
        author: services.user(),
        at: new Date(services.now()),
        ...(reason ? { reason } : {}),
      });
      return {
        next,
        message: `Version ${version} restored as version ${next.version.version}; the spec editor now holds it.`,
      };
    });
  };

  const { DataSourcePicker } = services;
  const canApply = !!calibration?.proposedSpec && calibration.proposedSpecErrors.length === 0;
  const applyNote = !calibration
    ? 'Run a calibration to get a proposal.'
    : !calibration.proposedSpec
      ? 'The calibration proposed no change: nothing to apply.'
      : calibration.improved
        ? undefined
        : 'Caution: the calibrator measured no improvement on the held-out part. Apply only with a reason that stands without it.';

  return (
    <PluginPage>
      <div className={styles.page} data-testid="anomalyscore-calibration">
        <Text element="p" color="secondary">
          Backtest a score against the incidents and feedback recorded as Grafana annotations, then let the calibrator
          search each signal&apos;s sensitivity, the weights and the tier cuts on the first 60% of the range, without
          losing recall, and judge them on the held-out rest.
        </Text>
        <section className={styles.section} aria-label="Backtest setup">
          <Field label="Anomaly Score data source" htmlFor={ids.ds} required>
            <DataSourcePicker current={dsUid} onChange={setDsUid} inputId={ids.ds} />
          </Field>
          {versionsError && (
            <Alert severity="warning" title="Could not read the stored versions">
              {versionsError}
            </Alert>
          )}
          <SpecEditor value={specText} onChange={setSpecText} parsed={parsed} stored={versions?.files} />
          <Stack gap={2} wrap="wrap" alignItems="flex-start">
            <Field label="Time range">
              <TimeRangeInput value={range} onChange={setRange} hideTimeZone />
            </Field>
            <Field label="Alert tier" description="A point at or above it counts as an alert.">
              <RadioButtonGroup
                options={(['watch', 'review', 'critical'] as const).map((t) => ({ value: t, label: t }))}
                value={alertTier}
                onChange={setAlertTier}
              />
            </Field>
            <Field label="Objective">
              <RadioButtonGroup
                options={[
                  { value: 'recall_at_precision' as const, label: 'Recall at min precision' },
                  { value: 'nab' as const, label: 'NAB score' },
                ]}
                value={objectiveKind}
                onChange={setObjectiveKind}
              />
            </Field>
            {objectiveKind === 'recall_at_precision' && (
              <Field
                label="Min precision"
                htmlFor={ids.minPrecision}
                invalid={!objectiveValid}
                error={objectiveValid ? undefined : 'A number in (0, 1].'}
              >
                <Input
                  id={ids.minPrecision}
                  width={10}
                  value={minPrecision}
                  onChange={(e) => setMinPrecision(e.currentTarget.value)}
                />
              </Field>
            )}
            <Field
              label="Dashboard for links"
              htmlFor={ids.dashboard}
              description="uid of the dashboard the links open."
            >
              <Input
                id={ids.dashboard}
                width={20}
                value={dashboardUID}
                onChange={(e) => setDashboardUID(e.currentTarget.value)}
              />
            </Field>
          </Stack>
          <Stack gap={1}>
            <Button icon="play" disabled={!canRun} onClick={() => void runBacktest()}>
              Run backtest
            </Button>
            {running && (
              <Button variant="secondary" icon="times" onClick={() => abort.current?.abort()}>
                Cancel
              </Button>
            )}
          </Stack>
          {!dsUid && <Text color="secondary">Choose an Anomaly Score data source to run a backtest.</Text>}
        </section>

        {running && <LoadingPlaceholder text="Running the backtest: querying scores and annotations…" />}
        {runError && (
          <Alert severity={runError === 'Backtest cancelled.' ? 'info' : 'error'} title="Backtest">
            {runError}
          </Alert>
        )}
        {!running && !run && !runError && (
          <EmptyState variant="call-to-action" message="No backtest yet" hideImage>
            Choose a data source, a spec and a time range, then run the backtest.
          </EmptyState>
        )}
        {run && (
          <>
            {run.notes.length > 0 && (
              <Alert severity="warning" title="Notes on the ground truth">
                <ul>
                  {run.notes.map((n, i) => (
                    <li key={i}>{n}</li>
                  ))}
                </ul>
              </Alert>
            )}
            {run.entities.length === 0 ? (
              <EmptyState variant="not-found" message="The query returned no scored entities in this range" />
            ) : (
              <BacktestResults
                report={run.report}
                entities={run.entities}
                truth={run.truth}
                alertTier={alertTier}
                signals={run.spec.signals}
              />
            )}
            <section className={styles.section} aria-label="Calibration">
              <Text element="h3">Calibration</Text>
              <Stack gap={2} wrap="wrap" alignItems="flex-start">
                <Field
                  label="Recall floor"
                  description="The proposal must keep at least this recall on the fit and the held-out part."
                >
                  <RadioButtonGroup
                    options={[
                      { value: 'no_loss' as const, label: 'No recall loss' },
                      { value: 'absolute' as const, label: 'At least' },
                    ]}
                    value={floorMode}
                    onChange={setFloorMode}
                  />
                </Field>
                {floorMode === 'absolute' && (
                  <Field
                    label="Minimum recall"
                    htmlFor={ids.recallFloor}
                    invalid={!floorValid}
                    error={floorValid ? undefined : 'A number in [0, 1].'}
                  >
                    <Input
                      id={ids.recallFloor}
                      width={10}
                      value={floorText}
                      onChange={(e) => setFloorText(e.currentTarget.value)}
                    />
                  </Field>
                )}
                <Field
                  label="Max increase of median time to detect"
                  htmlFor={ids.maxTtd}
                  description="A duration such as 10m; empty: no bound (it is reported either way)."
                  invalid={!maxTtdValid}
                  error={maxTtdValid ? undefined : 'A duration such as 10m, or empty.'}
                >
                  <Input
                    id={ids.maxTtd}
                    width={12}
                    placeholder="no bound"
                    value={maxTtdText}
                    onChange={(e) => setMaxTtdText(e.currentTarget.value)}
                  />
                </Field>
                <Checkbox
                  label="Allow removing signals"
                  description="Off: every signal keeps a positive weight."
                  value={allowRemoving}
                  onChange={(e) => setAllowRemoving(e.currentTarget.checked)}
                />
              </Stack>
              <Stack gap={1}>
                <Button
                  icon="sliders-v-alt"
                  disabled={calibrating || run.entities.length === 0 || !calibrationValid}
                  onClick={runCalibration}
                >
                  Calibrate
                </Button>
              </Stack>
              {calibrating && <LoadingPlaceholder text="Searching sensitivity, weights and cuts…" />}
              {calibrationError && (
                <Alert severity="error" title="Calibration failed">
                  {calibrationError}
                </Alert>
              )}
              {calibration && <CalibrationResults result={calibration} spec={run.spec} />}
            </section>
          </>
        )}
        {specId && (
          <VersionsPanel
            specId={specId}
            file={file}
            canApply={canApply}
            applyNote={applyNote}
            busy={saving}
            error={saveError}
            saved={saved}
            onApply={onApply}
            onRestore={onRestore}
          />
        )}
      </div>
    </PluginPage>
  );
}
