#!/usr/bin/env bash
# The device bundle's entry point (copied into device-bundle/ by tools/device/build-bundle.mjs):
# unpacks Node, makes sure the Vulkan loader is there, points it at the NVIDIA driver when that sits
# outside the loader's search path, and runs the device benchmark. Output: the JSON on stdout and
# in $OUT/device-bench.json (default OUT: ./out beside this script), the progress log in
# $OUT/device-bench.log, the machine's GPU and Vulkan description in $OUT/environment.txt.
#
#   run.sh [device-bench options] [-- train options]
#
# Without `--`, the training run is a Transformer on the bundled Tatoeba eng-fra pairs; e.g.
# `run.sh -- --task tatoeba-eng-fra --steps 1000` trains on a bundled task instead.
# AP_NODE=/path/to/node uses that Node instead of the bundled one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/out}"
mkdir -p "$out"

node="${AP_NODE:-}"
if [ -z "$node" ]; then
  node="${TMPDIR:-/tmp}/ap-device-node-$(tr -dc 'v0-9.' <"$here/node.version")"
  if [ ! -x "$node" ]; then
    if command -v xz >/dev/null; then
      xz -dc "$here/node.xz" >"$node.tmp"
    else
      python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$here/node.xz" "$node.tmp"
    fi
    chmod +x "$node.tmp"
    mv "$node.tmp" "$node"
  fi
fi

# Dawn dlopens libvulkan.so.1. The GPU machines' image has no Vulkan loader: unpack Debian's (and
# GLVND, which NVIDIA's Vulkan driver library needs) into / as the device tool's README does.
if ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1 ' >/dev/null; then
  echo "[run.sh] no Vulkan loader: unpacking $(ls "$here"/gl/*.deb | wc -l) packages from gl/ into /" >&2
  for f in "$here"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# The NVIDIA driver's ICD file where the device tool's machines keep it (outside the loader's search path).
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES="$nvidia_icd" VK_ICD_FILENAMES="$nvidia_icd"
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "uname: $(uname -srm)"
  echo "node: $("$node" --version)"
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
  echo "bundle: $(tr '\n' ' ' <"$here/BUILD")"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null || true
} >"$out/environment.txt" 2>&1 || true

args=("$@")
has_train_args=0
for a in "${args[@]}"; do [ "$a" = "--" ] && has_train_args=1; done
if [ "$has_train_args" = 0 ]; then
  args+=(-- --pairs "$(ls "$here"/data/*.tsv | head -n 1)" --model transformer --steps 1500)
fi

# stdout (the JSON) passes through; stderr (progress) also goes to the log.
set +e
{ "$node" "$here/device-bench.mjs" --out "$out" "${args[@]}" 2>&1 1>&3 3>&- | tee "$out/device-bench.log" >&2; } 3>&1
status=${PIPESTATUS[0]}
exit "$status"
