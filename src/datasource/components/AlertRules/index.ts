export { AlertRuleActions } from './AlertRuleActions';
export { AlertRuleServicesProvider, defaultAlertRuleServices, type AlertRuleServices } from './services';
