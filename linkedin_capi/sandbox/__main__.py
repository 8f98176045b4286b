"""``python -m linkedin_capi.sandbox``: serve a LinkedIn sandbox until Ctrl-C."""

import sys

from linkedin_capi.sandbox import main

raise SystemExit(main(sys.argv[1:]))
