import React, { useMemo } from 'react';
import { Button, Dropdown, Menu } from '@grafana/ui';
import type { CompiledRules, GrafanaOptions } from '../../../scoring/rules';
import { ruleFiles } from './compileSpec';
import { useAlertRuleServices } from './services';

export interface DownloadRulesProps {
  /** The compiled spec; undefined while the spec does not compile (the button is disabled). */
  compiled?: CompiledRules;
  /** Prometheus uid and folder written into the Grafana formats. */
  grafana: Partial<GrafanaOptions>;
  /** Why the button is disabled (tooltip). */
  disabledReason?: string;
  size?: 'sm' | 'md';
}

/** "Download rules": one menu item per format, each downloads the compiler's text. */
export function DownloadRules({ compiled, grafana, disabledReason, size = 'md' }: DownloadRulesProps) {
  const { download } = useAlertRuleServices();
  const files = useMemo(() => (compiled ? ruleFiles(compiled, grafana) : []), [compiled, grafana]);

  if (!compiled) {
    return (
      <Button variant="secondary" icon="download-alt" size={size} disabled tooltip={disabledReason}>
        Download rules
      </Button>
    );
  }
  const menu = (
    <Menu>
      {files.map((f) => (
        <Menu.Item
          key={f.format}
          label={f.label}
          description={f.text !== undefined ? `${f.fileName}: ${f.description}` : (f.unavailable ?? f.description)}
          icon="download-alt"
          disabled={f.text === undefined}
          onClick={() => {
            if (f.text !== undefined) {
              download(f.fileName, new Blob([f.text], { type: f.mimeType }));
            }
          }}
        />
      ))}
    </Menu>
  );
  return (
    <Dropdown overlay={menu} placement="bottom-end">
      <Button variant="secondary" icon="download-alt" size={size} aria-haspopup="menu">
        Download rules
      </Button>
    </Dropdown>
  );
}
