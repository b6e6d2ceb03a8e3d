#!/usr/bin/env bash
# Fills a chart cache for `npm run charts:verify -- --charts DIR` from the Helm
# repositories: for every chart pinned in components/catalog.ts, DIR/<chart>/<version>/
# gets the chart's Chart.yaml, values.yaml, values.schema.json (if it has one) and its
# CRDs in crds/. Versions already in DIR are left alone. Needs helm 3 and network access
# to the repositories (README, "Chart conformance").
#
# UNTESTED against real repositories: it was written on a machine that reaches no Helm
# repository. If a chart's layout surprises it, fill that directory by hand.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: scripts/fill-chart-cache.sh DIR" >&2
  exit 2
fi
command -v helm >/dev/null || { echo "helm (v3) is required: https://helm.sh/docs/intro/install/" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# chart, version and repository of every pin, one per line, read from the catalog itself.
pins=$(npx --no-install tsx -e '
  const { charts } = require("./components/catalog");
  for (const c of Object.values(charts)) console.log(`${c.chart} ${c.version} ${c.repository}`);
')

while read -r chart version repo; do
  dest="$dir/$chart/$version"
  if [ -f "$dest/values.yaml" ]; then
    echo "have    $chart $version"
    continue
  fi
  echo "pulling $chart $version from $repo"
  # -d keeps the downloaded archive out of the working directory; --untardir is relative to it.
  helm pull "$chart" --repo "$repo" --version "$version" --untar -d "$tmp" --untardir "$chart-$version"
  src="$tmp/$chart-$version/$chart"
  mkdir -p "$dest"
  cp "$src/Chart.yaml" "$src/values.yaml" "$dest/"
  if [ -f "$src/values.schema.json" ]; then cp "$src/values.schema.json" "$dest/"; fi
  if [ -d "$src/crds" ]; then
    mkdir -p "$dest/crds"
    find "$src/crds" -maxdepth 1 \( -name '*.yaml' -o -name '*.yml' \) -exec cp {} "$dest/crds/" \;
  fi
  # argo-cd ships its CRDs as templates (templates/crds/, wrapped in `{{ if ... }}`
  # lines): keep them without the template lines, as plain CRDs.
  if [ -d "$src/templates/crds" ]; then
    mkdir -p "$dest/crds"
    for f in "$src"/templates/crds/*.yaml; do
      grep -v '{{' "$f" > "$dest/crds/$(basename "$f")"
    done
  fi
done <<< "$pins"
echo "chart cache ready: $dir"
