#!/usr/bin/env bash
# Installs what the Makefile needs, or says exactly what is missing.
# Usage: setup.sh venv|npm|chromium|nginx|apache|webkit
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "setup: $*" >&2; exit 1; }

case "${1:-}" in
  venv)
    python=${PYTHON:-python3}
    command -v "$python" >/dev/null || die "$python not found: install Python 3.11 or newer."
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || die "Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))."
    "$python" -m venv .venv 2>/dev/null \
      || die "could not create .venv: install the venv module (Debian: apt-get install python3-venv)."
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    .venv/bin/python -m pip install --quiet -e '.[dev]' \
      || die "pip could not install the pinned tools from pyproject.toml (is PyPI reachable?)."
    ;;
  npm)
    command -v npm >/dev/null || die "npm not found: install Node.js 18+ and npm (Debian: apt-get install nodejs npm)."
    npm ci --no-audit --no-fund --loglevel=error \
      || die "npm ci failed: the pinned packages in package-lock.json could not be installed."
    ;;
  chromium)
    chromium=${CHROMIUM:-/usr/bin/chromium}
    if [ ! -x "$chromium" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing Debian chromium for the browser tests"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
          || die "apt-get could not install chromium."
      else
        die "Chromium not found at $chromium. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium. Playwright's own browser download does not work offline."
      fi
    fi
    ;;
  nginx)
    # The browser tests run the shipped nginx configuration (build_scripts/hosting/nginx.conf),
    # which serves the .br copies through the brotli static module.
    brotli_module=/usr/share/nginx/modules/ngx_http_brotli_static_module.so
    if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || [ ! -f "$brotli_module" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing Debian nginx and its brotli static module for the hosting tests"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-brotli-static >/dev/null \
          || die "apt-get could not install nginx and libnginx-mod-http-brotli-static."
        # Only the binary is needed: the tests start their own nginx on a free port.
        if command -v systemctl >/dev/null; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
      else
        die "nginx with the brotli static module is needed for the hosting tests. Install it (Debian: sudo apt-get install nginx libnginx-mod-http-brotli-static)."
      fi
    fi
    ;;
  apache)
    # The browser tests run the shipped Apache configuration (build_scripts/hosting/.htaccess)
    # under Debian's apache2, started by the tests themselves on a free port.
    if [ ! -x /usr/sbin/apache2 ] || [ ! -f /usr/lib/apache2/modules/mod_rewrite.so ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing Debian apache2 for the hosting tests"
        install_apache() {
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=300 apache2 >/dev/null 2>&1
        }
        # The package lists are usually fresh (the chromium or nginx step updated them): update
        # them only when the install cannot find the package.
        install_apache || { apt-get update -qq >/dev/null && install_apache; } \
          || die "apt-get could not install apache2."
        # Only the binary and its modules are needed: stop the service the package starts.
        if command -v systemctl >/dev/null; then systemctl disable --now apache2 >/dev/null 2>&1 || true; fi
      else
        die "Apache httpd is needed for the hosting tests. Install it (Debian: sudo apt-get install apache2)."
      fi
    fi
    ;;
  webkit)
    # The WebKit tier (tests/webkit/) drives WebKitGTK's MiniBrowser through WebKitWebDriver
    # inside a virtual X display: the engine of Safari on the iPhones clinicians carry.
    minibrowser=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
    if [ ! -x /usr/bin/WebKitWebDriver ] || [ ! -x "$minibrowser" ] || ! command -v Xvfb >/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing Debian webkit2gtk-driver and xvfb for the WebKit tests"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
          webkit2gtk-driver xvfb >/dev/null \
          || die "apt-get could not install webkit2gtk-driver and xvfb."
      else
        die "WebKitGTK's WebDriver and Xvfb are needed for the WebKit tests. Install them (Debian: sudo apt-get install webkit2gtk-driver xvfb)."
      fi
    fi
    [ -x "$minibrowser" ] \
      || die "webkit2gtk-driver is installed but $minibrowser is missing (Debian: apt-get install --reinstall libwebkit2gtk-4.1-0)."
    ;;
  *)
    die "usage: setup.sh venv|npm|chromium|nginx|apache|webkit"
    ;;
esac
