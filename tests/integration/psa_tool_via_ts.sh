#!/bin/sh
# psa-tool --via ts, as one program for psa_tool.sh: PSA_TOOL is the psa-tool (libpsa) binary.
exec "$PSA_TOOL" --via ts "$@"
