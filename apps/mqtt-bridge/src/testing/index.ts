// One certificate helper for every TLS test (the broker's here, NATS' in @sluice/queue).
export {
  type CertificateFiles,
  makeTestCertificates,
  type TestCertificates,
} from '@sluice/queue/nats-testing';
export * from './mosquitto.js';
