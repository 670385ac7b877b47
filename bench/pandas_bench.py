#!/usr/bin/python3
"""The engine's rolling computations done with pandas / numpy, on the same bytes the engine scored.

    /usr/bin/python3 bench/pandas_bench.py DATA_FILE JSON_OUT

DATA_FILE is raw little-endian Float64 written by bench/engine.ts (`subset` mode), shape
(series, 14 columns, points); DATA_FILE.json describes it; DATA_FILE.ours holds the engine's
statistic + severity per signal and the score for series 0, used to check that both sides compute
the same thing.

What is computed per series (same parameters as bench/spec.ts, 1-minute step), each the idiomatic
pandas way:
  robust_z      x.rolling(60).median().shift(1); MAD by x.rolling(60).apply(median(|a - median(a)|),
                raw=True) (pandas has no rolling MAD); z, severity ramp
  seasonal      expected = median of x.shift(1440 j), j = 1..3 (DataFrame.median(axis=1));
                scale = 1.4826 * |r|.rolling(1440).median().shift(1); z, severity
  level_shift   rolling(1440) median + MAD (apply) as robust_z, z clipped at ±4, then the capped
                two-sided CUSUM. pandas/numpy cannot vectorise it: S = min(cap, max(0, S + z - k)) has
                both a floor and a cap, so the np.minimum.accumulate trick (exact for the floor-only
                CUSUM) does not apply -> a plain Python loop over the values (ndarray.tolist()).
                The accumulate version (floor only, no cap) is timed separately for reference.
  ratio         rolling(5) sums current, rolling(1440).sum().shift(5) baseline, binomial deviance z
  histogram     bin masses from cumulative buckets (np.maximum.accumulate + diff), rolling(60) and
                rolling(1440).shift(60) sums per bin (DataFrame.rolling), PSI, noise floor, severity
  composite     evidence sum -> score (vectorised)
Not done by pandas (the engine does them too, so vs_pandas is conservative): tiers with hysteresis,
severity intervals (Wilson), per-signal contributions, explanation bands, input normalisation.
"""
import json
import sys
import time

import numpy as np
import pandas as pd

DAY = 1440
MAD_TO_SIGMA = 1.482602218505602
MEAN_ABS_DEV_TO_SIGMA = 1.2533141373155003
MAX_SEVERITY = 1 - 1e-12


def ramp(x, warn, mx):
    """Smoothstep severity: 0 below warn, 1 from max (NaN in -> NaN out)."""
    u = np.clip((x - warn) / (mx - warn), 0.0, 1.0)
    s = u * u * (3 - 2 * u)
    return np.where(np.isnan(x), np.nan, s)


def mad_raw(a):
    return np.median(np.abs(a - np.median(a)))


def robust_baseline(x, window, warmup, min_rel=0.01, min_abs=1e-9):
    """Trailing (current point excluded) rolling median and robust scale, as RollingWindow does."""
    roll = x.rolling(window, min_periods=warmup)
    med = roll.median().shift(1)
    mad = roll.apply(mad_raw, raw=True).shift(1)
    scale = MAD_TO_SIGMA * mad
    if (scale <= 0).any():  # fallback only where MAD is 0 (not the case on this data)
        mean_abs = roll.apply(lambda a: np.mean(np.abs(a - np.median(a))), raw=True).shift(1)
        scale = scale.where(scale > 0, MEAN_ABS_DEV_TO_SIGMA * mean_abs)
    floor = min_rel * med.abs() + min_abs
    return med, np.maximum(scale, floor)


def robust_z(values):
    x = pd.Series(values)
    med, scale = robust_baseline(x, 60, 20)
    z = (x - med) / scale
    return z.to_numpy(), ramp(np.abs(z.to_numpy()), 3, 7)


def seasonal(values):
    x = pd.Series(values)
    lags = pd.concat([x.shift(j * DAY) for j in (1, 2, 3)], axis=1)
    expected = lags.median(axis=1, skipna=True)
    r = x - expected
    absr = r.abs()
    scale = MAD_TO_SIGMA * absr.rolling(DAY, min_periods=30).median().shift(1)
    if (scale <= 0).any():
        mean_abs = absr.rolling(DAY, min_periods=30).mean().shift(1)
        scale = scale.where(scale > 0, MEAN_ABS_DEV_TO_SIGMA * mean_abs)
    scale = np.maximum(scale, 0.01 * expected.abs() + 1e-9)
    z = (r / scale).to_numpy()
    return z, ramp(np.abs(z), 3, 7)


def cusum_loop(z, k, cap):
    up = down = 0.0
    n = len(z)
    out_up = np.empty(n)
    out_down = np.empty(n)
    for i, v in enumerate(z.tolist()):
        if v == v:
            up = min(cap, max(0.0, up + v - k))
            down = min(cap, max(0.0, down - v - k))
        out_up[i] = up
        out_down[i] = down
    return out_up, out_down


def cusum_accumulate(z, k):
    """Floor-only CUSUM S_t = C_t - min(0, min_{s<=t} C_s) with C = cumsum(z - k): exact without a cap."""
    inc = np.where(np.isnan(z), 0.0, z - k)
    c = np.cumsum(inc)
    return c - np.minimum(0.0, np.minimum.accumulate(c))


def level_shift(values, k=0.5, warn=5.0, mx=15.0, clip=4.0):
    x = pd.Series(values)
    med, scale = robust_baseline(x, DAY, 30)
    z = np.clip(((x - med) / scale).to_numpy(), -clip, clip)
    up, down = cusum_loop(z, k, max(mx, warn))
    stat = np.where(up >= down, up, -down)
    sev = np.maximum(ramp(up, warn, mx), ramp(down, warn, mx))
    valid = ~np.isnan(z)
    return np.where(valid, stat, np.nan), np.where(valid, sev, np.nan), z


def ratio(errors, requests, window=5, baseline=DAY, warmup=10, warn=3.0, mx=7.0, rel=0.1, absc=0.001):
    num = pd.Series(np.minimum(errors, requests))
    den = pd.Series(requests)
    cur_num = num.rolling(window, min_periods=1).sum()
    cur_den = den.rolling(window, min_periods=1).sum()
    base_num = num.rolling(baseline, min_periods=warmup).sum().shift(window)
    base_den = den.rolling(baseline, min_periods=warmup).sum().shift(window)
    n = cur_den.to_numpy()
    x = cur_num.to_numpy()
    with np.errstate(divide='ignore', invalid='ignore'):
        phat = np.minimum(1.0, x / n)
        p0 = ((base_num + 0.5) / (base_den + 1)).to_numpy()
        p_up = np.minimum(1.0, np.maximum(p0 * (1 + rel), p0 + absc))
        q = np.clip(p_up, 1e-300, 1 - 1e-15)
        kl = np.where(phat > 0, phat * np.log(phat / q), 0.0) + np.where(
            phat < 1, (1 - phat) * np.log((1 - phat) / (1 - q)), 0.0
        )
        z = np.where((phat > p_up) & (p_up < 1), np.sqrt(2 * n * np.maximum(kl, 0.0)), 0.0)
    ok = (base_den.to_numpy() > 0) & (n > 0)
    sev = np.where(ok, ramp(z, warn, mx), np.nan)
    return np.where(ok, phat, np.nan), sev


def histogram_drift(cum, window=60, reference=DAY, min_count=100, floor=1e-4, warmup=10, warn=0.1, mx=0.5):
    mono = np.maximum.accumulate(cum, axis=0)  # cumulative kept monotone across edges
    masses = np.diff(mono, axis=0, prepend=0.0)
    masses = np.maximum(masses, 0.0)
    frame = pd.DataFrame(masses.T)
    cur = frame.rolling(window, min_periods=1).sum().to_numpy()
    ref = frame.rolling(reference, min_periods=warmup).sum().shift(window).to_numpy()
    with np.errstate(divide='ignore', invalid='ignore'):
        n_cur = cur.sum(axis=1, keepdims=True)
        n_ref = ref.sum(axis=1, keepdims=True)
        used = (cur + ref) > 0
        p = np.where(used, np.maximum(cur / n_cur, floor), 0.0)
        q = np.where(used, np.maximum(ref / n_ref, floor), 0.0)
        p = p / p.sum(axis=1, keepdims=True)
        q = q / q.sum(axis=1, keepdims=True)
        psi = np.where(used, (p - q) * np.log(p / q), 0.0).sum(axis=1)
        bins = used.sum(axis=1)
        noise = np.maximum(0, bins - 1) * (1 / n_cur[:, 0] + 1 / n_ref[:, 0])
    ok = (n_ref[:, 0] >= min_count) & (n_cur[:, 0] >= min_count)
    psi = np.where(ok, np.maximum(psi, 0.0), np.nan)
    return psi, ramp(psi - noise, warn, mx)


def composite(severities):
    s = np.minimum(np.clip(np.vstack(severities), 0, None), MAX_SEVERITY)
    e = np.nansum(-np.log1p(-s), axis=0)
    return 100 * (1 - np.exp(-e))


SIGNALS = ['latency_z', 'traffic_seasonal', 'confidence_shift', 'error_ratio', 'score_drift']


def score_series(block, timers):
    lat, req, conf, err = block[0], block[1], block[2], block[3]
    cum = block[4:]
    out = {}
    t0 = time.perf_counter()
    out['latency_z'] = robust_z(lat)
    t1 = time.perf_counter()
    out['traffic_seasonal'] = seasonal(req)
    t2 = time.perf_counter()
    out['confidence_shift'] = level_shift(conf)
    t3 = time.perf_counter()
    out['error_ratio'] = ratio(err, req)
    t4 = time.perf_counter()
    out['score_drift'] = histogram_drift(cum)
    t5 = time.perf_counter()
    score = composite([out[s][1] for s in SIGNALS])
    t6 = time.perf_counter()
    for name, dt in zip(SIGNALS + ['composite'], [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5]):
        timers[name] = timers.get(name, 0.0) + dt
    # CUSUM alone, loop vs accumulate (reference only; not part of the pandas total)
    z = out['confidence_shift'][2]
    c0 = time.perf_counter()
    cusum_loop(z, 0.5, 15.0)
    c1 = time.perf_counter()
    cusum_accumulate(z, 0.5)
    c2 = time.perf_counter()
    timers['cusum_loop'] = timers.get('cusum_loop', 0.0) + (c1 - c0)
    timers['cusum_accumulate'] = timers.get('cusum_accumulate', 0.0) + (c2 - c1)
    return out, score


def agreement(ours, theirs):
    """Share of points where both are NaN or agree to 1e-6 relative, and the largest abs diff."""
    both_nan = np.isnan(ours) & np.isnan(theirs)
    fin = ~np.isnan(ours) & ~np.isnan(theirs)
    close = fin & (np.abs(ours - theirs) <= 1e-6 * np.maximum(1.0, np.abs(ours)))
    max_diff = float(np.max(np.abs(ours[fin] - theirs[fin]))) if fin.any() else 0.0
    return {'agree': float((both_nan | close).mean()), 'max_abs_diff': max_diff}


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    meta = json.load(open(path + '.json'))
    series, points, columns = meta['series'], meta['points'], len(meta['columns'])
    data = np.fromfile(path, dtype='<f8').reshape(series, columns, points)
    ours = np.fromfile(path + '.ours', dtype='<f8')

    timers = {}
    first = None
    t0 = time.perf_counter()
    for s in range(series):
        res = score_series(data[s], timers)
        if s == 0:
            first = res
    total = time.perf_counter() - t0
    total -= timers['cusum_loop'] + timers['cusum_accumulate']  # reference timings, not the pandas run

    check = {}
    for k, sig in enumerate(SIGNALS):
        stat = ours[2 * k * points:(2 * k + 1) * points]
        sev = ours[(2 * k + 1) * points:(2 * k + 2) * points]
        check[sig] = {'statistic': agreement(stat, first[0][sig][0]), 'severity': agreement(sev, first[0][sig][1])}
    ours_score = ours[len(SIGNALS) * 2 * points:]
    check['score'] = agreement(ours_score, first[1])

    result = {
        'series': series,
        'points': points,
        'pandas_s': total,
        'pandas_points_per_s': series * points / total,
        'per_signal_s': {k: timers[k] for k in SIGNALS + ['composite']},
        'cusum_loop_s': timers['cusum_loop'],
        'cusum_accumulate_s': timers['cusum_accumulate'],
        'check_series0': check,
        'pandas_version': pd.__version__,
        'numpy_version': np.__version__,
    }
    json.dump(result, open(out_path, 'w'))
    print(f'  pandas {series} x {points}: {total:.2f} s ({series * points / total / 1e3:.1f} k points/s)')


if __name__ == '__main__':
    main()
