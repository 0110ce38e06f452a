#!/usr/bin/env bash
# Debian packages the portal needs: Chromium and CJK fonts for PDFs and browser tests, poppler for PDF checks,
# LibreOffice Calc to test spreadsheets written by other programs, Java and npm for the HTML checker.
# Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# Rare characters in names (CJK Extensions B–H) that Noto lacks: the PDF templates' fallback face.
fc-list 2>/dev/null | grep -qi "BabelStone Han" || need+=(fonts-babelstone-han)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
# Java and npm run the HTML checker vnu.jar (scripts/vnu.sh) in the browser suite.
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
# psycopg (SAQ's PostgreSQL job queue, portal/jobs.py) talks to PostgreSQL through libpq.
ldconfig -p 2>/dev/null | grep -q "libpq.so.5" || need+=(libpq5)
# Debian splits venv/ensurepip out of python3: `python3 -m venv` fails without it.
python3 -c "import ensurepip" >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
