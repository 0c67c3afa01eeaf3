#!/bin/sh
# One-off (compose `temporal-namespace`): the namespace, created with RETENTION (it must cover
# WEBHOOK_MAX_AGE plus a day), and our search attributes. Idempotent.
set -eu
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
# No update of an existing namespace: a longer retention someone chose is never shortened. The
# `setup` job (npm run setup) raises it when it does not cover WEBHOOK_MAX_AGE plus a day.
for attribute in ScomplerEvent ScomplerAccountId; do
  temporal operator search-attribute list --namespace "$NAMESPACE" | grep -q "$attribute" ||
    temporal operator search-attribute create --namespace "$NAMESPACE" \
      --name "$attribute" --type Keyword
done
