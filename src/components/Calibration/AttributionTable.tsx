import React from 'react';
import { Badge, Text, useStyles2 } from '@grafana/ui';
import { attributionLine, minutesText, shareText, type NoisySignal } from '../../scoring/evaluate/attribution';
import type { TierReport } from '../../scoring/evaluate/backtest';
import { getSharedStyles } from '../shared/styles';

/**
 * Alert time of one tier by signal (scoring/evaluate/attribution.ts): false-alarm minutes (outside
 * every incident window), their share, in-incident minutes, the share of the signal's own alert time
 * that was false, and for a noisy signal a badge and the concrete fix. Plain text throughout.
 */
export function AttributionTable({ tier }: { tier: TierReport }) {
  const styles = useStyles2(getSharedStyles);
  const total = tier.false_alarm_minutes + tier.true_alert_minutes;
  const fixes = new Map<string, NoisySignal>(tier.noisy.map((n) => [n.signal, n]));
  const carriers = tier.attribution.filter((a) => a.false_alarm_minutes > 0).slice(0, 3);
  return (
    <section className={styles.section} aria-label="Alert time by signal">
      <Text element="h3">{`Alert time by signal (≥ ${tier.tier})`}</Text>
      <Text element="p" color="secondary">
        {`${minutesText(total)} alert minutes at ≥ ${tier.tier}: ${minutesText(tier.false_alarm_minutes)} outside every incident window (false-alarm minutes), ` +
          `${minutesText(tier.true_alert_minutes)} inside. Each minute is split over the signals by their share of the score at that minute.`}
      </Text>
      {tier.attribution.length === 0 ? (
        <Text element="p">No alert time to attribute.</Text>
      ) : (
        <>
          {carriers.length > 0 && (
            <ul className={styles.list} data-testid="attribution-summary">
              {carriers.map((a) => (
                <li key={a.signal}>
                  <Text>{attributionLine(a)}</Text>
                </li>
              ))}
            </ul>
          )}
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="attribution">
              <caption>
                {tier.noisy.length === 0
                  ? 'No signal is noisy (noisy: at least 25 % of the false-alarm minutes and more than half of its own alert time false).'
                  : `${tier.noisy.length} noisy signal${tier.noisy.length === 1 ? '' : 's'}: at least 25 % of the false-alarm minutes and more than half of its own alert time false.`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">signal</th>
                  <th scope="col">kind</th>
                  <th scope="col" className="num">
                    false-alarm min
                  </th>
                  <th scope="col" className="num">
                    share of false-alarm min
                  </th>
                  <th scope="col" className="num">
                    in-incident min
                  </th>
                  <th scope="col" className="num">
                    share of in-incident min
                  </th>
                  <th scope="col" className="num">
                    own alert time false
                  </th>
                  <th scope="col">noisy</th>
                  <th scope="col">fix</th>
                </tr>
              </thead>
              <tbody>
                {tier.attribution.map((a) => {
                  const noisy = fixes.get(a.signal);
                  return (
                    <tr key={a.signal} data-testid={`attribution-row-${a.signal}`}>
                      <th scope="row">{a.name}</th>
                      <td>{a.kind || '–'}</td>
                      <td className="num">{minutesText(a.false_alarm_minutes)}</td>
                      <td className="num">{shareText(a.false_alarm_share)}</td>
                      <td className="num">{minutesText(a.true_alert_minutes)}</td>
                      <td className="num">{shareText(a.true_alert_share)}</td>
                      <td className="num">{shareText(a.own_false_share)}</td>
                      <td>{a.noisy ? <Badge color="orange" icon="exclamation-triangle" text="noisy" /> : ''}</td>
                      <td>{noisy ? noisy.fix : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
