#!/bin/sh
# The container's entrypoint: `run` starts only after `check` passes (configuration, content,
# catalogs): a bad setting or a broken content file stops here, said in one place, instead of a bot
# that answers wrongly. Any other command (backup, restore, stats, check...) runs as given.
set -eu
PYTHON="${PYTHON:-python}"
if [ "$#" -eq 0 ]; then
    set -- run
fi
if [ "$1" = "run" ]; then
    "$PYTHON" -m bot check
fi
exec "$PYTHON" -m bot "$@"
