"""`python -m mltutorial` is the same as the `mltutorial` command."""

from mltutorial.cli import main

raise SystemExit(main())
