"""``python -m linkedin_capi.cli``: the same as the ``linkedin-capi`` command."""

from linkedin_capi.cli.app import main

main()
