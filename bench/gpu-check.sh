#!/usr/bin/env bash
# The checks to run when a machine with a real GPU is lent (issue 16): the WebGPU kernel suite
# against the CPU backend, our WGSL matmul (up to 4096³) and conv beside tfjs-webgpu on the same
# Dawn adapter, and one MNIST epoch of `cnn` on WebGPU. Everything lands in $OUT (default
# runs/gpu-check), one log per step, and a summary.txt with the adapter's name first.
# Sized for a few minutes on a GPU; on the software adapter (Mesa llvmpipe) pass --dry-run,
# which runs the same steps small (matmul up to 512, 2,000 training images) to prove the script.
#   bash bench/gpu-check.sh [--dry-run]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/gpu-check}
mkdir -p "$OUT"
DRY=0; [ "${1:-}" = "--dry-run" ] && DRY=1
# Dawn's OpenGL fallback needs a surfaceless EGL platform where there is no display.
export EGL_PLATFORM=${EGL_PLATFORM:-surfaceless}
[ -x node_modules/.bin/vitest ] || npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1
status=0
step() { # name, command...
  local name=$1; shift
  local t0=$SECONDS
  if "$@" >"$OUT/$name.log" 2>&1; then echo "ok    $name ($((SECONDS - t0)) s)"; else echo "FAIL  $name ($((SECONDS - t0)) s): see $OUT/$name.log"; status=1; fi
}
{
  node -e "import('webgpu').then(async ({ create, globals }) => { Object.assign(globalThis, globals);
    for (const o of [[], ['backend=opengl']]) { const a = await create(o).requestAdapter(o.length ? { featureLevel: 'compatibility' } : undefined);
      if (a) { const i = a.info ?? {}; console.log('adapter:', [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed', o.length ? '(opengl, compatibility)' : '(default backend)'); return; } }
    console.log('adapter: none'); })"
  echo "date: $(date -u +%FT%TZ)  load: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
  step webgpu-kernels npx vitest run test/webgpu-kernels.test.ts test/webgpu-training.test.ts
  if [ $DRY = 1 ]; then
    step bench-webgpu node cli/zerograd.js bench --suite webgpu --quick --json
    step epoch-webgpu node cli/zerograd.js train --model cnn --epochs 1 --limit 2000 --test-limit 1000 --backend webgpu --out "$OUT/epoch" --overwrite --json
  else
    step bench-webgpu node cli/zerograd.js bench --suite webgpu --matmul-max 4096 --json
    step epoch-webgpu node cli/zerograd.js train --model cnn --epochs 1 --backend webgpu --out "$OUT/epoch" --overwrite --json
  fi
  echo "--- webgpu bench (GFLOP/s, ours vs tfjs-webgpu)"; grep -v '^{' "$OUT/bench-webgpu.log" | grep -E "^(matmul|conv|ours:)" || true
  echo "--- one cnn epoch on WebGPU"; tail -n 1 "$OUT/epoch-webgpu.log"
} | tee "$OUT/summary.txt"
exit $status
