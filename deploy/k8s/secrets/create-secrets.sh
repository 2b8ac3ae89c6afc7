#!/usr/bin/env bash
# Creates the four Secrets of deploy/k8s in NAMESPACE with fresh random values
# (openssl), unless they already exist: an existing Secret is never
# overwritten, because replacing the encryption key or the pepper would make
# stored data unreadable (rotation: docs/deploy.md). Prints the bootstrap admin
# token once, on stderr, when it creates it.
#
#   deploy/k8s/secrets/create-secrets.sh caspio-mcp-dev
set -euo pipefail
NS=${1:?usage: create-secrets.sh NAMESPACE}
command -v kubectl >/dev/null || { echo "create-secrets: kubectl not found" >&2; exit 1; }
command -v openssl >/dev/null || { echo "create-secrets: openssl not found" >&2; exit 1; }

kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS"

create() { # name, then --from-literal=... arguments
  local name=$1; shift
  if kubectl -n "$NS" get secret "$name" >/dev/null 2>&1; then
    echo "create-secrets: $name exists, left as it is"
    return 1
  fi
  kubectl -n "$NS" create secret generic "$name" "$@" >/dev/null
  kubectl -n "$NS" label secret "$name" app.kubernetes.io/part-of=caspio-mcp >/dev/null
  echo "create-secrets: created $name"
}

admin=$(openssl rand -hex 32)
if create caspio-mcp-token \
    --from-literal=encryption-key="$(openssl rand -base64 32)" \
    --from-literal=encryption-key-id=k1 \
    --from-literal=previous-encryption-keys= \
    --from-literal=pepper="$(openssl rand -hex 32)" \
    --from-literal=bootstrap-admin-token="$admin"; then
  echo "create-secrets: bootstrap admin token (store it now, it is not shown again): $admin" >&2
fi
create caspio-mcp-redis --from-literal=password="$(openssl rand -hex 32)" || true
create caspio-mcp-edge --from-literal=session-key="$(openssl rand -hex 32)" || true
create caspio-mcp-proxy --from-literal=cursor-key="$(openssl rand -hex 32)" || true
