#!/bin/sh
# One-off (compose `temporal-namespace`): the namespace, with a retention that covers
# WEBHOOK_MAX_AGE plus a day (RETENTION), and our search attributes. Idempotent.
set -eu
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
temporal operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION"
for attribute in ScomplerEvent ScomplerAccountId; do
  temporal operator search-attribute list --namespace "$NAMESPACE" | grep -q "$attribute" ||
    temporal operator search-attribute create --namespace "$NAMESPACE" \
      --name "$attribute" --type Keyword
done
