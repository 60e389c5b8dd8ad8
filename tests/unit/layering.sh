#!/usr/bin/env bash
# The layering of src/ (docs/architecture.md, "Layout"): an area includes its own headers and those
# of the areas allowed below, nothing else. An entry "area/file.h" allows that one header only.
# Usage: layering.sh SRC_DIR
set -uo pipefail
src=${1:?usage: layering.sh SRC_DIR}
declare -A allowed=(
    [base]=""
    [status]=""
    [comms]="base"
    [crypto]="base comms/crypto_calls.h"
    [storage]="base crypto comms/storage_calls.h"
    [api]="comms"
    [daemon]="comms"
    [local]="api crypto storage"
    [client]="api comms crypto"
    [enclave]="base comms crypto daemon storage"
    [ts]="base comms"
    [libts]="base comms ts"
    [psats]="api base comms ts"
    [uefi]="base comms ts"
    [parsec]="base comms"
    [provider]=""
)
areas=" ${!allowed[*]} "
bad=0
for dir in "$src"/*/; do
    area=$(basename "$dir")
    if [ -z "${allowed[$area]+set}" ]; then
        echo "src/$area: an area the layering does not list"
        bad=1
        continue
    fi
    while IFS=: read -r file line text; do
        header=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$text")
        target=${header%%/*}
        [ "$target" = "$area" ] && continue
        case "$areas" in *" $target "*) ;; *) continue ;; esac # not one of ours
        ok=0
        for entry in ${allowed[$area]}; do
            if [ "$entry" = "$target" ] || [ "$entry" = "$header" ]; then
                ok=1
            fi
        done
        if [ $ok -eq 0 ]; then
            echo "${file#"$src"/}:$line: src/$area may not include $header"
            bad=1
        fi
    done < <(grep -rnE '^\s*#\s*include "[a-z_]+/' "$dir" --include='*.c' --include='*.h')
done
[ $bad -eq 0 ] && echo "layering: every include follows the allowed areas"
exit $bad
