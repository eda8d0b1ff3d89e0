// Entry point of the script-tag build (dist/sluice.js).
import { safe } from './safe.js';
import { type SluiceHost, startFromScript } from './script-tag.js';

safe(startFromScript)(document.currentScript as HTMLScriptElement | null, window as SluiceHost);
