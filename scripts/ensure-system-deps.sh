#!/usr/bin/env bash
# Installs the system programs the tests drive for real (Chromium for the browser
# tests, nats-server for the JetStream tests, mosquitto and openssl for the MQTT bridge)
# curl for the docs' examples, tini (the container's PID 1), and nginx and Caddy (the reverse
# proxies of the first-party recipes), from Debian's packages when missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
# mosquitto_passwd (password files for the broker's auth tests) comes in the same package.
{ [ -x /usr/sbin/mosquitto ] && [ -x /usr/bin/mosquitto_passwd ]; } || missing+=(mosquitto)
# openssl makes the throwaway certificates of the broker's TLS tests (usually already there).
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# curl runs the docs' example requests (e2e/readme-scale-out.test.ts).
command -v curl >/dev/null 2>&1 || missing+=(curl)
# tini is the image's PID 1 (deploy/Dockerfile); e2e/deploy-signals.test.ts runs it.
command -v tini >/dev/null 2>&1 || missing+=(tini)
# nginx and caddy run the recipes of docs/first-party.md (e2e/first-party-proxy.test.ts).
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/caddy ] || missing+=(caddy)
bash "$(dirname "$0")/lib/apt-install.sh" "${missing[@]}"
