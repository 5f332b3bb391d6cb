#!/usr/bin/env bash
# Makes a fresh machine (Node + npm, Debian, root) ready for the whole suite: Chromium for the
# browser tests, tmux for the terminal client's test in a real terminal, irssi (run in tmux against
# the IRC door), redis-server (and redis-cli) for the several-instances tests, which start their own
# on a free port, openssl for the TLS tests' certificates and their `s_client`, nginx (with its stream
# module, a package of its own on Debian) and haproxy for the reverse-proxy tests, which run them with
# configs of their own on free ports. Idempotent and quiet when everything is already there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v irssi >/dev/null 2>&1 || need+=(irssi)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Both live in /usr/sbin, which a non-login root shell may not have on its PATH.
command -v nginx >/dev/null 2>&1 || command -v /usr/sbin/nginx >/dev/null 2>&1 || need+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v haproxy >/dev/null 2>&1 || command -v /usr/sbin/haproxy >/dev/null 2>&1 || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests/setup.sh: missing ${need[*]} and not root: install them with apt-get" >&2
    exit 1
  fi
  echo "tests/setup.sh: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
